package store

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"
	_ "time/tzdata" // the interval tests use real zones

	"github.com/hotline-oss/hotline/call"
)

// The report day is 10 March 2025 on the wall clock of UTC+8, which starts
// at 16:00 UTC the day before.
var (
	cst  = time.FixedZone("CST", 8*3600)
	day1 = time.Date(2025, 3, 10, 0, 0, 0, 0, cst)
	day2 = day1.AddDate(0, 0, 1)
	day3 = day1.AddDate(0, 0, 2)
)

func local(day time.Time, hms string) time.Time {
	t, err := time.ParseInLocation("15:04:05", hms, cst)
	if err != nil {
		panic(err)
	}
	return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second)
}

// queuedCall describes a call by what happened to it in the queue; script
// turns it into events. Times are seconds after it was queued.
type queuedCall struct {
	id, caller, queue, agent string
	queued                   time.Time
	wait, talk, hold, acw    float64
	abandon                  bool
	overflowTo               string // overflow after overflowAfter, then wait more in overflowTo
	overflowAfter            float64
	transfer                 string
	category                 string
	resolved                 bool
	survey                   int
}

func (c queuedCall) script() *script {
	s := newScript(c.id, c.caller, c.queued.Add(-10*time.Second))
	s.at(0, call.CallArrived).at(0.5, call.CallAnswered, delay(0.5)).
		at(10, call.QueueRequested, queue(c.queue)).at(10, call.Queued, queue(c.queue))
	q, queuedAt := c.queue, 10.0
	if c.overflowTo != "" {
		queuedAt += c.overflowAfter
		s.at(queuedAt, call.Overflowed, queue(q), target(c.overflowTo), wait(c.overflowAfter)).
			at(queuedAt, call.Queued, queue(c.overflowTo))
		q = c.overflowTo
	}
	if c.abandon {
		s.at(queuedAt+c.wait, call.Abandoned, queue(q), wait(c.wait)).
			at(queuedAt+c.wait, call.CallEnded, result(call.ResultAbandonedInQueue), by(call.HangupByCaller))
		return s
	}
	answered := queuedAt + c.wait
	s.at(answered-2, call.AgentOffered, queue(q), agent(c.agent)).
		at(answered, call.AgentAnswered, queue(q), agent(c.agent), wait(answered-10))
	if c.hold > 0 {
		s.at(answered+5, call.Held, agent(c.agent)).at(answered+5+c.hold, call.Unheld, agent(c.agent))
	}
	talkEnd := answered + c.talk + c.hold
	if c.transfer != "" {
		s.at(talkEnd, call.Transferred, agent(c.agent), transfer("blind", c.transfer))
	}
	s.at(talkEnd, call.TalkEnded, agent(c.agent), by(call.HangupByCaller))
	end := talkEnd
	if c.survey > 0 {
		s.at(talkEnd+5, call.SurveyAnswered, score(c.survey))
		end += 10
	}
	s.at(end, call.CallEnded, result(call.ResultAnsweredByAgent), by(call.HangupByCaller))
	if c.category != "" {
		s.at(talkEnd+1, call.DispositionSet, agent(c.agent), dispo(c.category, c.resolved))
	}
	if c.acw > 0 {
		s.at(talkEnd+c.acw, call.WrapupEnded, agent(c.agent))
	}
	return s
}

// scriptedDay is the day the report tests compute by hand.
func scriptedDay() []*script {
	calls := []queuedCall{
		{id: "B1", caller: "1001", queue: "billing", agent: "alice", queued: local(day1, "09:00:00"),
			wait: 10, talk: 200, hold: 30, acw: 40, category: "billing", resolved: true, survey: 5},
		{id: "B2", caller: "1002", queue: "billing", agent: "alice", queued: local(day1, "09:10:00"),
			wait: 30, talk: 100, acw: 20, category: "billing", resolved: true, survey: 3},
		{id: "B3", caller: "1003", queue: "billing", queued: local(day1, "09:20:00"), wait: 3, abandon: true},
		{id: "B4", caller: "1004", queue: "billing", queued: local(day1, "09:30:00"), wait: 50, abandon: true},
		{id: "B5", caller: "1005", queue: "billing", agent: "bob", queued: local(day1, "10:00:00"),
			wait: 20, talk: 60, transfer: "repair", category: "repair", resolved: false, survey: 4},
		// Spans midnight: queued on day 1, answered and ended on day 2.
		{id: "B6", caller: "1006", queue: "billing", agent: "bob", queued: local(day1, "23:59:50"),
			wait: 15, talk: 300, acw: 10, category: "billing", resolved: true},
		{id: "B7", caller: "1007", queue: "billing", agent: "carol", queued: local(day1, "11:00:00"),
			overflowTo: "repair", overflowAfter: 60, wait: 25, talk: 120, acw: 30,
			category: "repair", resolved: true, survey: 2},
		// 00:10 on day 1 is still 9 March in UTC.
		{id: "R0", caller: "1008", queue: "repair", queued: local(day1, "00:10:00"), wait: 12, abandon: true},
		{id: "N1", caller: "1009", queue: "billing", agent: "carol", queued: local(day2, "10:00:00"), wait: 5, talk: 50},
	}
	var out []*script
	for _, c := range calls {
		out = append(out, c.script())
	}
	// B2's number calls back within 7 days; B6's only after 8.
	out = append(out, quickCall("B2-again", local(day1, "12:00:00").AddDate(0, 0, 3)))
	out[len(out)-1].setCaller("1002")
	out = append(out, quickCall("B6-again", local(day1, "23:59:00").AddDate(0, 0, 8)))
	out[len(out)-1].setCaller("1006")
	return out
}

func (s *script) setCaller(c string) {
	s.base.Caller = c
	for i := range s.events {
		s.events[i].Caller = c
	}
}

func loadScriptedDay(t *testing.T, env *testEnv) *Store {
	t.Helper()
	s := env.open(t)
	for _, sc := range scriptedDay() {
		sc.feed(s.Recorder())
	}
	flush(t, s)
	return s
}

// want is a row's expected figures; NaN means undefined.
type want map[string]float64

func checkFigures(t *testing.T, label string, got map[string]float64, w want) {
	t.Helper()
	for k, v := range w {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: no figure %s", label, k)
		case math.IsNaN(v) != math.IsNaN(g) || (!math.IsNaN(v) && math.Abs(g-v) > 1e-6):
			t.Errorf("%s: %s = %v, want %v", label, k, g, v)
		}
	}
}

func intervalFigures(r IntervalRow) map[string]float64 {
	return map[string]float64{
		"offered": float64(r.Offered), "answered": float64(r.Answered), "abandoned": float64(r.Abandoned),
		"short": float64(r.ShortAbandoned), "overflowed": float64(r.Overflowed),
		"withinSL": float64(r.AnsweredWithinSL), "SL": float64(r.ServiceLevel),
		"abandonRate": float64(r.AbandonRate), "ASA": float64(r.ASA), "avgQueue": float64(r.AvgQueueTime),
		"avgAbandon": float64(r.AvgAbandonTime), "AHT": float64(r.AHT), "talk": float64(r.AvgTalk),
		"hold": float64(r.AvgHold), "ACW": float64(r.AvgACW), "transfers": float64(r.Transfers),
		"transferRate": float64(r.TransferRate), "fcrCalls": float64(r.FCRCalls), "FCR": float64(r.FCR),
		"surveys": float64(r.SurveyResponses), "satisfied": float64(r.Satisfied),
		"satisfaction": float64(r.Satisfaction), "surveyMean": float64(r.SurveyMean),
	}
}

var nan = math.NaN()

func TestIntervalReportOnAScriptedDay(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := loadScriptedDay(t, env)
		rows, err := s.IntervalReport(context.Background(), IntervalParams{
			From: day1, To: day3, Location: cst, Interval: IntervalDay,
			Thresholds: map[string]QueueThresholds{"repair": {ServiceLevel: 30 * time.Second, ShortAbandon: 10 * time.Second}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 {
			t.Fatalf("rows = %d, want billing and repair for two days: %+v", len(rows), rows)
		}
		expect := []struct {
			queue string
			start time.Time
			want  want
		}{
			{"billing", day1, want{
				"offered": 7, "answered": 4, "abandoned": 2, "short": 1, "overflowed": 1, "withinSL": 3,
				"SL": 3.0 / 6, "abandonRate": 1.0 / 6, "ASA": 75.0 / 4, "avgQueue": 188.0 / 7, "avgAbandon": 26.5,
				"AHT": 190, "talk": 165, "hold": 7.5, "ACW": 17.5, "transfers": 1, "transferRate": 0.25,
				"fcrCalls": 2, "FCR": 0.5, "surveys": 3, "satisfied": 2, "satisfaction": 2.0 / 3, "surveyMean": 4,
			}},
			{"billing", day2, want{
				"offered": 1, "answered": 1, "abandoned": 0, "SL": 1, "abandonRate": 0, "ASA": 5, "AHT": 50,
				"avgAbandon": nan, "FCR": 0, "surveys": 0, "satisfaction": nan, "surveyMean": nan,
			}},
			{"repair", day1, want{
				"offered": 2, "answered": 1, "abandoned": 1, "short": 0, "withinSL": 1, "SL": 0.5,
				"abandonRate": 0.5, "ASA": 25, "avgQueue": 18.5, "avgAbandon": 12, "AHT": 150, "ACW": 30,
				"FCR": 1, "satisfaction": 0, "surveyMean": 2,
			}},
			{"repair", day2, want{"offered": 0, "SL": nan, "abandonRate": nan, "ASA": nan, "AHT": nan, "FCR": nan}},
		}
		for i, e := range expect {
			r := rows[i]
			if r.Queue != e.queue || !r.Start.Equal(e.start) || !r.End.Equal(e.start.AddDate(0, 0, 1)) {
				t.Fatalf("row %d = %s %v..%v, want %s from %v", i, r.Queue, r.Start, r.End, e.queue, e.start)
			}
			checkFigures(t, e.queue+" "+e.start.Format("01-02"), intervalFigures(r), e.want)
		}
	})
}

func TestHalfHourReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := loadScriptedDay(t, env)
		rows, err := s.IntervalReport(context.Background(), IntervalParams{
			From: day1, To: day2, Location: cst, Interval: Interval30m, Queues: []string{"billing"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 48 {
			t.Fatalf("rows = %d, want 48", len(rows))
		}
		nine := rows[18] // 09:00-09:30
		if !nine.Start.Equal(local(day1, "09:00:00")) {
			t.Fatalf("row 18 starts %v", nine.Start)
		}
		checkFigures(t, "09:00", intervalFigures(nine), want{
			"offered": 3, "answered": 2, "abandoned": 1, "short": 1, "SL": 0.5, "abandonRate": 0, "ASA": 20,
		})
		last := rows[47]
		checkFigures(t, "23:30", intervalFigures(last), want{"offered": 1, "answered": 1, "talk": 300, "ACW": 10})
	})
}

func TestAgentReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := loadScriptedDay(t, env)
		r := s.Recorder()
		state := func(ag, st, why string, when time.Time) {
			r.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: ag, State: st, Reason: why, Time: when})
		}
		for _, st := range []struct{ state, reason, at string }{
			{"available", "", "08:00:00"}, {"talking", "", "09:00:10"}, {"wrapup", "", "09:04:00"},
			{"available", "", "09:04:40"}, {"talking", "", "09:10:30"}, {"wrapup", "", "09:12:10"},
			{"available", "", "09:12:30"}, {"paused", "lunch", "12:00:00"}, {"available", "", "13:00:00"},
			{"paused", "training", "17:00:00"}, {"logged_out", "", "17:30:00"},
		} {
			state("alice", st.state, st.reason, local(day1, st.at))
		}
		// Bob logged in the evening before the report starts.
		state("bob", "available", "", local(day1, "22:00:00").AddDate(0, 0, -1))
		state("bob", "paused", "meeting", local(day1, "01:00:00"))
		state("bob", "logged_out", "", local(day1, "02:00:00"))
		flush(t, s)
		env.clock.Advance(30 * 24 * time.Hour)

		bob, err := s.AgentStates(context.Background(), "bob", day1, day2)
		if err != nil || len(bob) != 3 || bob[0].State != "available" || !bob[0].At.Equal(local(day1, "22:00:00").AddDate(0, 0, -1)) ||
			bob[1].Reason != "meeting" || bob[2].State != "logged_out" {
			t.Errorf("bob's states = %+v, %v", bob, err)
		}
		rows, err := s.AgentReport(context.Background(), AgentParams{From: day1, To: day2})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0].Agent != "alice" || rows[1].Agent != "bob" || rows[2].Agent != "carol" {
			t.Fatalf("rows = %+v", rows)
		}
		a, b := rows[0], rows[1]
		checkFigures(t, "alice", agentFigures(a), want{
			"calls": 2, "talk": 300, "hold": 30, "acw": 60, "aht": 195,
			"loggedIn": 34200, "available": 28410, "paused": 5400,
			"occupancy": 330.0 / 28740, "cph": 2 / 9.5, "satisfaction": 0.5, "surveyMean": 4,
		})
		if a.PausedByReason["lunch"] != 3600 || a.PausedByReason["training"] != 1800 {
			t.Errorf("alice pauses = %v", a.PausedByReason)
		}
		// B6 was answered after midnight: it is bob's call on day 2.
		checkFigures(t, "bob", agentFigures(b), want{
			"calls": 1, "talk": 60, "acw": 0, "loggedIn": 7200, "available": 3600, "paused": 3600,
			"occupancy": 60.0 / 3660, "cph": 0.5, "satisfaction": 1, "surveyMean": 4,
		})
	})
}

func agentFigures(r AgentRow) map[string]float64 {
	return map[string]float64{
		"calls": float64(r.Calls), "talk": float64(r.TalkTime), "hold": float64(r.HoldTime),
		"acw": float64(r.ACWTime), "aht": float64(r.AHT), "loggedIn": float64(r.LoggedIn),
		"available": float64(r.Available), "paused": float64(r.Paused), "occupancy": float64(r.Occupancy),
		"cph": float64(r.CallsPerHour), "satisfaction": float64(r.Satisfaction), "surveyMean": float64(r.SurveyMean),
	}
}

func TestRepeatCallers(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		r := s.Recorder()
		march := time.Date(2025, 3, 1, 0, 0, 0, 0, cst)
		n := 0
		callFrom := func(caller string, when time.Time) *script {
			n++
			sc := quickCall(fmt.Sprintf("%s-%d", caller, n), when)
			sc.setCaller(caller)
			sc.feed(r)
			return sc
		}
		// Five calls, two of them on the first and last minutes of March
		// in UTC+8 (still February and already March in UTC).
		callFrom("5555", march.Add(10*time.Minute))
		for d := 5; d < 8; d++ {
			callFrom("5555", march.AddDate(0, 0, d))
		}
		callFrom("5555", march.AddDate(0, 1, 0).Add(-30*time.Minute))
		callFrom("5555", march.AddDate(0, 1, 0).Add(30*time.Minute)) // April
		var complaint *script
		for d := range 10 {
			complaint = callFrom("1010", march.AddDate(0, 0, d+1))
		}
		// The last of them got two dispositions, one a complaint.
		id := complaint.base.CallID
		r.HandleEvent(call.Event{Kind: call.DispositionSet, CallID: id, Agent: "alice", Category: "complaint", Time: march.AddDate(0, 0, 11)})
		r.HandleEvent(call.Event{Kind: call.DispositionSet, CallID: id, Agent: "bob", Category: "billing", Time: march.AddDate(0, 0, 11)})
		once := callFrom("9999", march.AddDate(0, 0, 20))
		r.HandleEvent(call.Event{Kind: call.DispositionSet, CallID: once.base.CallID, Agent: "bob", Category: "complaint", Time: march.AddDate(0, 0, 20)})
		for d := range 4 {
			callFrom("4444", march.AddDate(0, 0, d+1))
		}
		flush(t, s)

		rep, err := s.RepeatCallers(context.Background(), RepeatParams{Month: march.AddDate(0, 0, 15), Location: cst})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.From.Equal(march) || !rep.To.Equal(march.AddDate(0, 1, 0)) {
			t.Errorf("period = %v..%v", rep.From, rep.To)
		}
		wantCounts := []RepeatCount{{MinCalls: 5, Callers: 2}, {MinCalls: 10, Callers: 1}}
		if len(rep.Counts) != 2 || rep.Counts[0] != wantCounts[0] || rep.Counts[1] != wantCounts[1] {
			t.Errorf("counts = %+v, want %+v", rep.Counts, wantCounts)
		}
		got := make([][3]any, 0, len(rep.Callers))
		for _, c := range rep.Callers {
			got = append(got, [3]any{c.Caller, c.Calls, c.Complaints})
		}
		wantCallers := [][3]any{{"1010", 10, 1}, {"5555", 5, 0}, {"9999", 1, 1}}
		if len(got) != len(wantCallers) {
			t.Fatalf("callers = %v, want %v", got, wantCallers)
		}
		for i := range got {
			if got[i] != wantCallers[i] {
				t.Errorf("caller %d = %v, want %v", i, got[i], wantCallers[i])
			}
		}
		if first := rep.Callers[1].FirstCall; !first.Equal(march.Add(10 * time.Minute)) {
			t.Errorf("5555 first call = %v", first)
		}
	})
}
