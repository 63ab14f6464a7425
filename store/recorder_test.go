package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(secs(sec)) }

func getCall(t *testing.T, s *Store, id string) CallDetail {
	t.Helper()
	d, err := s.Call(context.Background(), id)
	if err != nil {
		t.Fatalf("call %s: %v", id, err)
	}
	return d
}

// fullCall walks every step: IVR with a language change, queue with a
// missed offer, answer, two holds, transfer, survey, and an agent who
// finishes wrap-up after the call has ended.
func fullCall() *script {
	return newScript("call-full", "13800000001", t0).
		at(0, call.CallArrived).
		at(0.25, call.CallAnswered, delay(0.25)).
		at(1, call.IVRNodeEntered, node("main", "greeting")).
		at(3, call.LanguageChanged, lang("en")).
		at(4, call.IVRNodeEntered, node("main", "account")).
		at(12, call.IVRNodeEntered, node("main", "to_billing")).
		at(12, call.QueueRequested, queue("billing"), prio(2), lang("en")).
		at(12, call.Queued, queue("billing"), prio(2)).
		at(14, call.AgentOffered, queue("billing"), agent("alice")).
		at(29, call.AgentNoAnswer, queue("billing"), agent("alice"), reason("timeout")).
		at(30, call.AgentOffered, queue("billing"), agent("bob")).
		at(33, call.AgentAnswered, queue("billing"), agent("bob"), wait(21)).
		at(60, call.Held, agent("bob")).
		at(90, call.Unheld, agent("bob")).
		at(100, call.Held, agent("bob")).
		at(110, call.Unheld, agent("bob")).
		at(200, call.Transferred, agent("bob"), transfer("blind", "repair")).
		at(200, call.TalkEnded, agent("bob"), by(call.HangupByAgent)).
		at(210, call.SurveyAnswered, score(5)).
		at(212, call.CallEnded, result(call.ResultAnsweredByAgent), reason("completed"), by(call.HangupByServer)).
		at(230, call.DispositionSet, agent("bob"), dispo("billing", true)).
		at(245, call.WrapupEnded, agent("bob"))
}

func TestRecorderFoldsACallIntoItsRecord(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		r := s.Recorder()
		if r.SetVars("call-full", map[string]string{"account": "0"}) {
			t.Error("SetVars accepted a call that has not arrived")
		}
		events := fullCall().events
		for _, e := range events[:5] {
			r.HandleEvent(e)
		}
		// Mid-call, as the IVR hands over; the recording name comes after
		// the call, while the record lingers.
		if !r.SetVars("call-full", map[string]string{"account": "1234567890"}) {
			t.Error("SetVars refused an open call")
		}
		for _, e := range events[5:] {
			r.HandleEvent(e)
		}
		if !r.SetRecording("call-full", "2025/03/10/call-full.wav") {
			t.Error("SetRecording refused a lingering call")
		}
		flush(t, s)

		got := getCall(t, s, "call-full")
		want := CallRecord{
			CallID: "call-full", Caller: "13800000001", Number: "95598", Language: "en", Flow: "main",
			Path:  []string{"greeting", "account", "to_billing"},
			Vars:  map[string]string{"account": "1234567890"},
			Queue: "billing", Agent: "bob", Priority: 2,
			Arrived: at(0), Answered: at(0.25), IVREnded: at(12), Queued: at(12), AgentOffered: at(14),
			AgentAnswered: at(33), TalkEnded: at(200), Ended: at(212),
			AgentOffers: 2, Talk: 127 * time.Second, Hold: 40 * time.Second, HoldCount: 2,
			TransferKind: "blind", TransferTarget: "repair", HangupBy: call.HangupByAgent,
			Result: call.ResultAnsweredByAgent, EndReason: "completed",
			RecordingFile: "2025/03/10/call-full.wav",
			AnswerDelay:   250 * time.Millisecond, QueueWait: 21 * time.Second,
			// Talk: 167s from answer to talk end, minus 40s on hold.
			Visits: []QueueVisit{{Seq: 1, Queue: "billing", Priority: 2, Queued: at(12), Left: at(33),
				Outcome: OutcomeAnswered, Wait: 21 * time.Second, Agent: "bob", TalkEnded: at(200),
				Talk: 127 * time.Second, Hold: 40 * time.Second, TransferKind: "blind"}},
		}
		assertRecord(t, got.CallRecord, want)
		wantDispo := []Disposition{{CallID: "call-full", Agent: "bob", Category: "billing", Resolved: true, At: at(230)}}
		if !reflect.DeepEqual(got.Dispositions, wantDispo) {
			t.Errorf("dispositions = %+v, want %+v", got.Dispositions, wantDispo)
		}
		if got.Survey == nil || got.Survey.Score != 5 || !got.Survey.At.Equal(at(210)) {
			t.Errorf("survey = %+v", got.Survey)
		}
		if len(got.Wrapups) != 1 || got.Wrapups[0].Agent != "bob" || !got.Wrapups[0].At.Equal(at(245)) {
			t.Errorf("wrapups = %+v", got.Wrapups)
		}
	})
}

func assertRecord(t *testing.T, got, want CallRecord) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if gt, ok := g.(time.Time); ok {
			if !gt.Equal(w.(time.Time)) {
				t.Errorf("%s = %v, want %v", name, gt, w)
			}
			continue
		}
		if name == "Visits" {
			assertVisits(t, got.Visits, want.Visits)
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %#v, want %#v", name, g, w)
		}
	}
}

func assertVisits(t *testing.T, got, want []QueueVisit) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("visits = %+v, want %+v", got, want)
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Queued.Equal(w.Queued) || !g.Left.Equal(w.Left) {
			t.Errorf("visit %d times = %v..%v, want %v..%v", i, g.Queued, g.Left, w.Queued, w.Left)
		}
		g.Queued, g.Left, w.Queued, w.Left = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !g.TalkEnded.Equal(w.TalkEnded) {
			t.Errorf("visit %d talk ended = %v, want %v", i, g.TalkEnded, w.TalkEnded)
		}
		g.TalkEnded, w.TalkEnded = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("visit %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestRecorderAbandonOverflowAndBlocked(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		r := s.Recorder()
		newScript("ab", "111", t0).
			at(0, call.CallArrived).at(0.1, call.CallAnswered, delay(0.1)).
			at(5, call.QueueRequested, queue("repair")).at(5, call.Queued, queue("repair")).
			at(45, call.Abandoned, queue("repair"), wait(40)).
			at(45, call.CallEnded, result(call.ResultAbandonedInQueue), reason("caller_hangup"), by(call.HangupByCaller)).
			feed(r)
		newScript("of", "222", t0).
			at(0, call.CallArrived).
			at(5, call.Queued, queue("repair")).
			at(65, call.Overflowed, queue("repair"), target("billing"), reason("max_wait"), wait(60)).
			at(65, call.Queued, queue("billing")).
			at(80, call.AgentAnswered, queue("billing"), agent("carol"), wait(75)).
			at(150, call.CallEnded, result(call.ResultAnsweredByAgent), by(call.HangupByCaller)).
			feed(r)
		r.HandleEvent(call.Event{Kind: call.CallBlocked, CallID: "bl", Caller: "333", Number: "95598",
			Time: at(7), Result: call.ResultBlocked, Reason: "channel_limit"})
		flush(t, s)

		ab := getCall(t, s, "ab")
		if ab.Result != call.ResultAbandonedInQueue || ab.QueueWait != 40*time.Second || ab.HangupBy != call.HangupByCaller ||
			!ab.IVREnded.Equal(at(5)) || !ab.AgentAnswered.IsZero() || ab.Agent != "" {
			t.Errorf("abandoned record = %+v", ab.CallRecord)
		}
		assertVisits(t, ab.Visits, []QueueVisit{{Seq: 1, Queue: "repair", Queued: at(5), Left: at(45),
			Outcome: OutcomeAbandoned, Wait: 40 * time.Second}})

		of := getCall(t, s, "of")
		assertVisits(t, of.Visits, []QueueVisit{
			{Seq: 1, Queue: "repair", Queued: at(5), Left: at(65), Outcome: OutcomeOverflowed, Wait: 60 * time.Second, Target: "billing"},
			{Seq: 2, Queue: "billing", Queued: at(65), Left: at(80), Outcome: OutcomeAnswered, Wait: 15 * time.Second,
				Agent: "carol", TalkEnded: at(150), Talk: 70 * time.Second},
		})
		if of.Queue != "billing" || of.QueueWait != 75*time.Second || !of.TalkEnded.Equal(at(150)) || of.Talk != 70*time.Second {
			t.Errorf("overflowed record = %+v", of.CallRecord)
		}

		bl := getCall(t, s, "bl")
		if bl.Result != call.ResultBlocked || bl.EndReason != "channel_limit" || !bl.Arrived.Equal(at(7)) ||
			!bl.Ended.Equal(at(7)) || bl.Caller != "333" {
			t.Errorf("blocked record = %+v", bl.CallRecord)
		}
		if _, err := s.Call(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing call: err = %v, want ErrNotFound", err)
		}
	})
}

// Feeding the same finished call again, whether while it lingers or after
// it has been forgotten, leaves one row with the same content.
func TestReplayIsIdempotent(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		fullCall().feed(s.Recorder())
		flush(t, s)
		first := getCall(t, s, "call-full")

		fullCall().feed(s.Recorder()) // lingering: folded into the same record
		env.clock.Advance(time.Hour)  // forgotten: rebuilt from scratch
		fullCall().feed(s.Recorder())
		flush(t, s)

		for table, want := range map[string]int{"calls": 1, "queue_visits": 1, "dispositions": 1,
			"survey_answers": 1, "wrapups": 1} {
			if n := count(t, s, table, ""); n != want {
				t.Errorf("%s rows = %d, want %d", table, n, want)
			}
		}
		again := getCall(t, s, "call-full")
		assertRecord(t, again.CallRecord, first.CallRecord)
	})
}

func TestLateEventsUpdateALingeringRecord(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		r := s.Recorder()
		// Queue full: the ACD refuses the call after the IVR, then the call
		// ends; the record keeps both.
		newScript("qf", "444", t0).
			at(0, call.CallArrived).at(0.1, call.CallAnswered, delay(0.1)).
			at(8, call.QueueRequested, queue("billing")).
			at(8, call.CallBlocked, result(call.ResultBlocked), reason("queue_full")).
			at(15, call.CallEnded, result(call.ResultBlocked), reason("queue_full"), by(call.HangupByServer)).
			feed(r)
		flush(t, s)
		got := getCall(t, s, "qf")
		if got.Result != call.ResultBlocked || got.EndReason != "queue_full" || !got.Ended.Equal(at(15)) ||
			!got.Answered.Equal(at(0.1)) || got.Queue != "billing" || got.HangupBy != call.HangupByServer {
			t.Errorf("record = %+v", got.CallRecord)
		}
		if r.OpenCalls() != 0 {
			t.Errorf("open calls = %d, want 0", r.OpenCalls())
		}
	})
}

func TestStaleAndShutdownCallsAreWrittenIncomplete(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t, func(c *Config) { c.StaleCallAfter = time.Hour })
		r := s.Recorder()
		newScript("lost", "555", t0).at(0, call.CallArrived).at(3, call.Queued, queue("billing")).feed(r)
		env.clock.Advance(2 * time.Hour)
		newScript("open", "666", t0.Add(2*time.Hour)).at(0, call.CallArrived).
			at(5, call.AgentAnswered, agent("dave")).feed(r)
		flush(t, s)
		lost := getCall(t, s, "lost")
		if lost.Result != call.ResultFailed || lost.EndReason != ReasonIncomplete || !lost.Ended.Equal(at(3)) ||
			len(lost.Visits) != 1 || lost.Visits[0].Outcome != "" {
			t.Errorf("stale record = %+v", lost.CallRecord)
		}
		env.clock.Advance(time.Minute)
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		s2 := env.open(t)
		open := getCall(t, s2, "open")
		if open.EndReason != ReasonShutdown || !open.Ended.Equal(t0.Add(2*time.Hour+time.Minute)) ||
			!open.TalkEnded.Equal(open.Ended) {
			t.Errorf("shutdown record = %+v", open.CallRecord)
		}
	})
}

// An event straying in after the record has been forgotten starts a new
// record that never ends; when it is given up, it must not replace the
// complete record already written.
func TestStrayEventDoesNotReplaceAWrittenRecord(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t, func(c *Config) { c.Linger = time.Minute; c.StaleCallAfter = time.Hour })
		r := s.Recorder()
		fullCall().feed(r)
		flush(t, s)
		before := getCall(t, s, "call-full")
		env.clock.Advance(2 * time.Minute)
		r.HandleEvent(call.Event{Kind: call.TalkEnded, CallID: "call-full", Time: at(400), HangupBy: call.HangupByCaller})
		env.clock.Advance(2 * time.Hour)
		quickCall("next", at(7200)).feed(r) // any event runs the sweep
		flush(t, s)
		after := getCall(t, s, "call-full")
		assertRecord(t, after.CallRecord, before.CallRecord)
		if n := count(t, s, "calls", ""); n != 2 {
			t.Errorf("calls = %d, want 2", n)
		}
	})
}

// A blind transfer into another queue, as the ACD does it: the first
// agent's talk ends with the transfer, the call queues again and a second
// agent answers. Each visit keeps its own agent's part.
func TestTransferBackIntoAQueue(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		newScript("tr", "777", t0).
			at(0, call.CallArrived).
			at(5, call.Queued, queue("billing")).
			at(15, call.AgentAnswered, queue("billing"), agent("alice"), wait(10)).
			at(40, call.Held, agent("alice")).at(50, call.Unheld, agent("alice")).
			at(100, call.Transferred, queue("billing"), agent("alice"), transfer("blind", "repair")).
			at(100, call.TalkEnded, queue("billing"), agent("alice"), by(call.HangupByAgent), reason("transferred")).
			at(100, call.Queued, queue("repair")).
			at(130, call.AgentAnswered, queue("repair"), agent("bob"), wait(40)).
			at(300, call.TalkEnded, queue("repair"), agent("bob"), by(call.HangupByCaller)).
			at(300, call.CallEnded, result(call.ResultAnsweredByAgent), by(call.HangupByCaller)).
			at(320, call.WrapupEnded, agent("alice")).
			at(330, call.WrapupEnded, agent("bob")).
			feed(s.Recorder())
		flush(t, s)
		got := getCall(t, s, "tr")
		assertVisits(t, got.Visits, []QueueVisit{
			{Seq: 1, Queue: "billing", Queued: at(5), Left: at(15), Outcome: OutcomeAnswered, Wait: 10 * time.Second,
				Agent: "alice", TalkEnded: at(100), Talk: 75 * time.Second, Hold: 10 * time.Second, TransferKind: "blind"},
			{Seq: 2, Queue: "repair", Queued: at(100), Left: at(130), Outcome: OutcomeAnswered, Wait: 30 * time.Second,
				Agent: "bob", TalkEnded: at(300), Talk: 170 * time.Second},
		})
		if got.Agent != "alice" || got.Talk != 245*time.Second || got.Hold != 10*time.Second ||
			!got.TalkEnded.Equal(at(300)) || got.HangupBy != call.HangupByCaller || got.QueueWait != 40*time.Second {
			t.Errorf("record = %+v", got.CallRecord)
		}

		rows, err := s.AgentReport(context.Background(), AgentParams{From: t0, To: t0.Add(time.Hour)})
		if err != nil || len(rows) != 2 {
			t.Fatalf("agent rows = %+v, %v", rows, err)
		}
		checkFigures(t, "alice", agentFigures(rows[0]), want{"calls": 1, "talk": 75, "hold": 10, "acw": 220})
		checkFigures(t, "bob", agentFigures(rows[1]), want{"calls": 1, "talk": 170, "hold": 0, "acw": 30})
		iv, err := s.IntervalReport(context.Background(), IntervalParams{From: t0, To: t0.Add(time.Hour)})
		if err != nil || len(iv) != 2 {
			t.Fatalf("interval rows = %+v, %v", iv, err)
		}
		checkFigures(t, "billing", intervalFigures(iv[0]), want{"answered": 1, "transfers": 1, "AHT": 75 + 10 + 220})
		checkFigures(t, "repair", intervalFigures(iv[1]), want{"answered": 1, "transfers": 0, "AHT": 170 + 30, "ASA": 30})
	})
}
