package workforce

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
)

// benchTracker is a floor of n agents at 16:00, each on an 08:00-17:00
// shift with a lunch break, after a day of calls: a state change every
// 15 minutes (about 32 stretches each).
func benchTracker(n int) (*Tracker, Rules) {
	r := testRules()
	tr := NewTracker()
	var shifts []store.Shift
	states := []string{"available", "ringing", "talking", "wrapup"}
	for i := range n {
		id := fmt.Sprintf("%04d", i)
		shifts = append(shifts, store.Shift{Agent: id, Start: at("08:00"), End: at("17:00"), Activity: Phones,
			Breaks: []store.ShiftBreak{{Start: at("12:00"), End: at("12:30"), Activity: "lunch"}}})
		prev := "logged_out"
		for k, t := 0, at("08:00"); t.Before(at("16:00")); k, t = k+1, t.Add(15*time.Minute) {
			st := states[k%len(states)]
			tr.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: id, PrevState: prev, State: st, Time: t})
			prev = st
		}
	}
	tr.SetShifts(shifts)
	return tr, r
}

// BenchmarkLive2000Agents is one live view of a floor of 2 000 agents: what
// the adherence API, a scrape and the supervisor console's update each
// second cost.
func BenchmarkLive2000Agents(b *testing.B) {
	tr, r := benchTracker(2000)
	now := at("16:00")
	b.ReportAllocs()
	for b.Loop() {
		if got := tr.Live(r, day0, now); len(got) != 2000 {
			b.Fatalf("%d agents", len(got))
		}
	}
}

// BenchmarkStateEvent is the cost on the bus of one agent state change.
func BenchmarkStateEvent(b *testing.B) {
	tr, _ := benchTracker(2000)
	t := at("16:00")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t = t.Add(time.Millisecond)
		tr.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: "0001", PrevState: "available", State: "available", Time: t})
	}
}

// BenchmarkParseMonthCSV reads a month's schedule for 500 agents (15 500
// lines, a break each) and checks it, overlaps included.
func BenchmarkParseMonthCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("agent,date,start,end,activity,breaks\n")
	ids := map[string]bool{}
	for a := range 500 {
		id := fmt.Sprintf("%04d", a)
		ids[id] = true
		for d := range 31 {
			fmt.Fprintf(&sb, "%s,%s,08:00,16:00,phones,12:00-12:30 lunch\n", id, day0.AddDate(0, 0, d).Format("2006-01-02"))
		}
	}
	file := sb.String()
	r := testRules()
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		lines, problems := r.ParseCSV(strings.NewReader(file), func(id string) bool { return ids[id] })
		if len(lines) != 15500 || len(problems) != 0 {
			b.Fatalf("%d lines, problems %v", len(lines), problems[:min(3, len(problems))])
		}
	}
}

// BenchmarkViews2000Agents is how long a live view holds the tracker's
// lock (a state change on the bus waits at most this long).
func BenchmarkViews2000Agents(b *testing.B) {
	tr, _ := benchTracker(2000)
	b.ReportAllocs()
	for b.Loop() {
		if got := tr.views(); len(got) != 2000 {
			b.Fatalf("%d views", len(got))
		}
	}
}
