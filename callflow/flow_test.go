package callflow

import (
	"errors"
	"testing"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/metrics"
)

// How an IVR run ended decides the call's result when no queue took it.
func TestIVRResult(t *testing.T) {
	cases := []struct {
		name       string
		out        interp.Outcome
		err        error
		wantResult call.Result
		wantReason string
	}{
		{"hung up after a notice", interp.Outcome{CallerHungUp: true, AfterNotice: true}, nil, call.ResultSelfService, metrics.ReasonNoticeHangup},
		{"hung up in the menu", interp.Outcome{CallerHungUp: true}, nil, call.ResultAbandonedInIVR, "caller_hangup"},
		{"served by self-service", interp.Outcome{SelfService: true, Reason: "lookup_done"}, nil, call.ResultSelfService, "lookup_done"},
		{"the interpreter failed", interp.Outcome{}, errors.New("boom"), call.ResultFailed, "ivr_error"},
		{"the flow hung up", interp.Outcome{Reason: "hangup_node"}, nil, call.ResultAbandonedInIVR, "hangup_node"},
	}
	for _, c := range cases {
		res, reason := ivrResult(c.out, c.err)
		if res != c.wantResult || reason != c.wantReason {
			t.Errorf("%s: %s/%s, want %s/%s", c.name, res, reason, c.wantResult, c.wantReason)
		}
	}
}

// A call cut at the end of the shutdown grace is no abandon; one an agent
// answered stays answered.
func TestShutdownResult(t *testing.T) {
	if got := shutdownResult(call.ResultAnsweredByAgent); got != call.ResultAnsweredByAgent {
		t.Errorf("answered call became %s", got)
	}
	for _, r := range []call.Result{call.ResultAbandonedInQueue, call.ResultAbandonedInIVR, call.ResultSelfService} {
		if got := shutdownResult(r); got != call.ResultFailed {
			t.Errorf("%s at shutdown became %s, want failed", r, got)
		}
	}
}

// Without features the hooks change nothing: the call goes to the queue
// the IVR named, with no preferred agent, no offer and every key its own.
func TestNoFeatureHooks(t *testing.T) {
	f := New(Deps{})
	q := f.queueHooks(nil, nil, "zh")
	if queue, prio, left := q.BeforeQueue(nil, "zh", "billing", 3); queue != "billing" || prio != 3 || left {
		t.Errorf("BeforeQueue = %s, %d, %v", queue, prio, left)
	}
	if agent, grace := q.Enqueue(); agent != "" || grace != 0 {
		t.Errorf("Enqueue prefers %q for %v", agent, grace)
	}
	w := f.waitHooks(nil, nil, "zh")
	if refs := w.Refs("billing", 1e12); refs != nil {
		t.Errorf("Refs = %v", refs)
	}
	if got := w.Digit("billing", '1'); got != KeyNotMine {
		t.Errorf("Digit = %v", got)
	}
	if untrack := f.watchBridge("c1", "1001", nil); untrack == nil {
		t.Error("watchBridge without a watcher returned nil")
	} else {
		untrack()
	}
}
