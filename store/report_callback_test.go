package store

import (
	"context"
	"testing"

	"github.com/hotline-oss/hotline/call"
)

// callbackCaller scripts an inbound call queued at 10 s that takes a
// callback at requestSec: the inbound record ends with result callback,
// and (when cb is true) the callback's record starts, naming it.
func callbackCaller(id string, hms string, requestSec float64) (inbound, cb *script) {
	t0 := local(day1, hms)
	inbound = newScript(id, "13800000001", t0).
		at(0, call.CallArrived).at(0.5, call.CallAnswered, delay(0.5)).
		at(10, call.QueueRequested, queue("billing")).at(10, call.Queued, queue("billing")).
		at(requestSec, call.CallbackRequested, queue("billing"), target("13800000001"), wait(requestSec-10)).
		at(requestSec+5, call.CallEnded, result(call.ResultCallback), reason("callback_requested"), by(call.HangupByServer))
	cb = newScript(id+"-cb", "13800000001", t0).
		at(requestSec, call.QueueRequested, queue("billing"), target(id))
	return inbound, cb
}

// TestCallbackVisitsInIntervalReport: each callback caller is offered
// once; the answered callback counts as answered with the wait from the
// first queueing (100 s: outside the 20 s service level), the given-up one
// as abandoned (600 s), and the pending one only as offered.
func TestCallbackVisitsInIntervalReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		in1, cb1 := callbackCaller("cb-answered", "10:00:00", 40)
		cb1.at(100, call.AgentOffered, queue("billing"), agent("1001")).
			at(110, call.AgentAnswered, queue("billing"), agent("1001"), wait(100)).
			at(230, call.TalkEnded, queue("billing"), agent("1001"), by(call.HangupByAgent)).
			at(230, call.CallEnded, result(call.ResultAnsweredByAgent), by(call.HangupByAgent))
		in2, cb2 := callbackCaller("cb-gave-up", "11:00:00", 20)
		cb2.at(610, call.CallbackAttempted, queue("billing"), reason("gave_up")).
			at(610, call.Abandoned, queue("billing"), wait(600), by(call.HangupByServer), reason("callback_gave_up")).
			at(610, call.CallEnded, result(call.ResultAbandonedInQueue), reason("callback_gave_up"), by(call.HangupByServer))
		in3, _ := callbackCaller("cb-pending", "12:00:00", 30)
		for _, sc := range []*script{in1, cb1, in2, cb2, in3} {
			sc.feed(s.Recorder())
		}
		flush(t, s)

		rows, err := s.IntervalReport(context.Background(), IntervalParams{
			From: day1, To: day2, Location: cst, Interval: IntervalDay,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Queue != "billing" {
			t.Fatalf("rows %+v, want one billing row", rows)
		}
		checkFigures(t, "billing", intervalFigures(rows[0]), want{
			"offered": 3, "answered": 1, "abandoned": 1, "short": 0, "withinSL": 0,
			"SL": 0, "abandonRate": 1.0 / 3, "ASA": 100, "avgQueue": 700.0 / 3, "avgAbandon": 600,
			"talk": 120, "AHT": 120,
		})

		rec, err := s.Call(context.Background(), "cb-answered-cb")
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Visits) != 1 || rec.Visits[0].Outcome != OutcomeAnswered || rec.Visits[0].Target != "cb-answered" ||
			!rec.Visits[0].Queued.Equal(local(day1, "10:00:10")) || rec.Visits[0].Wait != secs(100) || rec.Visits[0].Agent != "1001" {
			t.Errorf("callback visits %+v", rec.Visits)
		}
		orig, err := s.Call(context.Background(), "cb-pending")
		if err != nil {
			t.Fatal(err)
		}
		if len(orig.Visits) != 1 || orig.Visits[0].Outcome != OutcomeCallback {
			t.Errorf("inbound visits %+v, want one ending in callback", orig.Visits)
		}
	})
}
