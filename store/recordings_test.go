package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

func TestRecordingSavedEventNamesTheFileOnTheCall(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		q := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		sc := queuedCall{id: "R1", caller: "555", queue: "billing", agent: "1001", queued: q, wait: 5, talk: 30}.script()
		for _, e := range sc.events {
			if e.Kind == call.CallEnded {
				s.Recorder().HandleEvent(call.Event{Kind: call.RecordingSaved, CallID: "R1", Queue: "billing", Detail: "2026/05/01/R1.wav", Time: e.Time})
			}
			s.Recorder().HandleEvent(e)
		}
		flush(t, s)
		if got := getCall(t, s, "R1").RecordingFile; got != "2026/05/01/R1.wav" {
			t.Fatalf("recording_file = %q", got)
		}
	})
}

func TestLastAgentComplaintsAndRatedCalls(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		r := s.Recorder()
		ctx := context.Background()
		may := time.Date(2026, 5, 1, 0, 0, 0, 0, cst)
		calls := []queuedCall{
			{id: "s1", caller: "555", queue: "general", agent: "1001", queued: may.AddDate(0, 0, 1), wait: 5, talk: 30, survey: 5},
			{id: "s2", caller: "555", queue: "general", agent: "1002", queued: may.AddDate(0, 0, 3), wait: 5, talk: 30, survey: 2},
			{id: "s3", caller: "555", queue: "general", queued: may.AddDate(0, 0, 4), wait: 5, abandon: true},
			{id: "s4", caller: "666", queue: "general", agent: "1003", queued: may.AddDate(0, 0, 4), wait: 5, talk: 30},
		}
		for i := range 5 {
			calls = append(calls, queuedCall{id: fmt.Sprint("k", i), caller: "777", queue: "complaints", agent: "1003",
				queued: may.AddDate(0, 0, 5+i), wait: 5, talk: 30, category: "complaint"})
		}
		// April's complaint does not count in May.
		calls = append(calls, queuedCall{id: "k-april", caller: "777", queue: "complaints", agent: "1003",
			queued: may.Add(-time.Hour), wait: 5, talk: 30, category: "complaint"})
		for _, c := range calls {
			c.script().feed(r)
		}
		flush(t, s)

		if got, err := s.LastAgent(ctx, "555", may); err != nil || got != "1002" {
			t.Fatalf("last agent of 555 = %q, %v; want 1002 (the abandoned call has none)", got, err)
		}
		if got, _ := s.LastAgent(ctx, "555", may.AddDate(0, 0, 10)); got != "" {
			t.Fatalf("last agent beyond the window = %q", got)
		}
		if got, _ := s.LastAgent(ctx, "nobody", may); got != "" {
			t.Fatalf("unknown caller's agent = %q", got)
		}
		from, to := MonthOf(may.AddDate(0, 0, 20), cst)
		if n, err := s.ComplaintCount(ctx, "777", "complaint", from, to); err != nil || n != 5 {
			t.Fatalf("complaints of 777 in May = %d, %v; want 5", n, err)
		}
		if n, _ := s.ComplaintCount(ctx, "555", "complaint", from, to); n != 0 {
			t.Fatalf("complaints of 555 = %d", n)
		}
		rep, err := s.RepeatCallers(ctx, RepeatParams{Month: may.AddDate(0, 0, 20), Location: cst})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Counts[0].MinCalls != 5 || rep.Counts[0].Complainers != 1 || rep.Counts[1].Complainers != 0 {
			t.Fatalf("repeat complaint counts = %+v, want one complainer at N=5 and none at 10", rep.Counts)
		}
		rated, err := s.RatedCalls(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(rated) != 2 || rated[0].Agent != "1001" || rated[0].Score != 5 || rated[1].Agent != "1002" || rated[1].Queue != "general" {
			t.Fatalf("rated calls = %+v", rated)
		}
	})
}
