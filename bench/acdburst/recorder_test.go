package acdburst

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func at(msec int) time.Time { return t0.Add(ms(msec)) }

func TestRecorderTracesACallThroughTheQueue(t *testing.T) {
	r := newRecorder()
	for _, e := range []call.Event{
		{Kind: call.CallArrived, CallID: "a", Time: at(0)},
		{Kind: call.CallAnswered, CallID: "a", Time: at(1)},
		{Kind: call.Queued, CallID: "a", Time: at(2)},
		{Kind: call.AgentOffered, CallID: "a", Agent: "2000", Time: at(3)},
		{Kind: call.AgentNoAnswer, CallID: "a", Agent: "2000", Time: at(9)},
		{Kind: call.AgentOffered, CallID: "a", Agent: "2001", Time: at(10)},
		{Kind: call.AgentAnswered, CallID: "a", Agent: "2001", Time: at(15)},
	} {
		r.HandleEvent(e)
	}
	tr, ok := r.trace("a")
	if !ok {
		t.Fatal("no trace for call a")
	}
	if tr.Offered != at(3) {
		t.Errorf("offered %v, want the first offer", tr.Offered.Sub(t0))
	}
	if d, ok := tr.connectTime(); !ok || d != ms(15) || tr.Agent != "2001" {
		t.Errorf("connect %v %v by %q, want 15ms by 2001", d, ok, tr.Agent)
	}
	if tr.waiting() {
		t.Error("a connected call counts as waiting")
	}
	if r.answeredCalls() != 1 {
		t.Errorf("answered %d, want 1", r.answeredCalls())
	}
	if _, ok := r.trace("b"); ok {
		t.Error("trace for a call never seen")
	}
}

func TestRecorderTellsWaitingFromEnded(t *testing.T) {
	r := newRecorder()
	r.HandleEvent(call.Event{Kind: call.CallArrived, CallID: "w", Time: at(0)})
	r.HandleEvent(call.Event{Kind: call.CallArrived, CallID: "x", Time: at(0)})
	r.HandleEvent(call.Event{Kind: call.CallArrived, CallID: "y", Time: at(0)})
	if n := r.unsettled([]string{"w", "x", "y", "z"}); n != 4 {
		t.Errorf("unsettled %d before any queueing, want 4", n)
	}
	r.HandleEvent(call.Event{Kind: call.Queued, CallID: "w", Time: at(1)})
	r.HandleEvent(call.Event{Kind: call.Queued, CallID: "x", Time: at(1)})
	r.HandleEvent(call.Event{Kind: call.CallEnded, CallID: "x", Time: at(5), Result: call.ResultAbandonedInQueue})
	r.HandleEvent(call.Event{Kind: call.CallBlocked, CallID: "y", Time: at(0), Result: call.ResultBlocked, Reason: "max_calls"})
	w, _ := r.trace("w")
	x, _ := r.trace("x")
	y, _ := r.trace("y")
	if !w.waiting() || x.waiting() || y.waiting() {
		t.Errorf("waiting: w %v x %v y %v, want only w", w.waiting(), x.waiting(), y.waiting())
	}
	if x.Result != call.ResultAbandonedInQueue || y.Reason != "max_calls" {
		t.Errorf("x %+v, y %+v", x, y)
	}
	if n := r.unsettled([]string{"w", "x", "y", "z"}); n != 1 {
		t.Errorf("unsettled %d, want 1 (z, never seen)", n)
	}
}

func TestRecorderFollowsAgentStates(t *testing.T) {
	r := newRecorder()
	r.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: "2000", State: "available"})
	r.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: "2001", State: "available"})
	r.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: "2001", State: "ringing"})
	if n := r.availableAgents(); n != 1 {
		t.Errorf("available %d, want 1", n)
	}
}

func TestRecorderWaitUntilWakesOnEvents(t *testing.T) {
	r := newRecorder()
	done := make(chan error, 1)
	go func() {
		done <- r.waitUntil(context.Background(), "two agents", func() bool { return r.availableAgents() == 2 })
	}()
	r.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: "2000", State: "available"})
	r.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: "2001", State: "available"})
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := r.waitUntil(ctx, "three agents", func() bool { return r.availableAgents() == 3 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
}
