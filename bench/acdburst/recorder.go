package acdburst

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// callTrace is what the event bus told about one caller's call. Times are
// the server's own event times.
type callTrace struct {
	Arrived  time.Time // INVITE accepted (CallArrived)
	Queued   time.Time // entered the queue (Queued)
	Offered  time.Time // first agent phone rung (first AgentOffered)
	Answered time.Time // an agent answered (AgentAnswered)
	Agent    string
	Ended    time.Time // CallEnded or CallBlocked
	Result   call.Result
	Reason   string
}

// connectTime is CallArrived → AgentAnswered; ok is false until both are known.
func (t callTrace) connectTime() (time.Duration, bool) {
	if t.Arrived.IsZero() || t.Answered.IsZero() {
		return 0, false
	}
	return t.Answered.Sub(t.Arrived), true
}

// waiting reports a call that is in the queue and not yet served or ended.
func (t callTrace) waiting() bool {
	return !t.Queued.IsZero() && t.Answered.IsZero() && t.Ended.IsZero()
}

// recorder is a bus subscriber keeping one trace per call and the state of
// every agent. The bus calls it synchronously from the server's hot paths
// (some under the ACD's lock), so HandleEvent only records and signals.
type recorder struct {
	mu         sync.Mutex
	calls      map[string]*callTrace
	agentState map[string]string
	answered   int
	// changed is closed and replaced on every event so waiters re-check.
	changed chan struct{}
}

func newRecorder() *recorder {
	return &recorder{
		calls:      make(map[string]*callTrace),
		agentState: make(map[string]string),
		changed:    make(chan struct{}),
	}
}

// HandleEvent implements call.Subscriber.
func (r *recorder) HandleEvent(e call.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Kind == call.AgentStateChanged {
		r.agentState[e.Agent] = e.State
	} else if e.CallID != "" {
		r.traceCallLocked(e)
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) traceCallLocked(e call.Event) {
	t := r.calls[e.CallID]
	if t == nil {
		t = &callTrace{}
		r.calls[e.CallID] = t
	}
	switch e.Kind {
	case call.CallArrived:
		t.Arrived = e.Time
	case call.Queued:
		t.Queued = e.Time
	case call.AgentOffered:
		if t.Offered.IsZero() {
			t.Offered = e.Time
		}
	case call.AgentAnswered:
		if t.Answered.IsZero() {
			r.answered++
		}
		t.Answered, t.Agent = e.Time, e.Agent
	case call.CallEnded, call.CallBlocked:
		t.Ended, t.Result, t.Reason = e.Time, e.Result, e.Reason
	}
}

// availableAgents counts agents whose latest state is "available".
func (r *recorder) availableAgents() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.agentState {
		if s == "available" {
			n++
		}
	}
	return n
}

// answeredCalls counts calls an agent has answered.
func (r *recorder) answeredCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.answered
}

// unsettled counts the calls of ids that are neither in the queue (or
// past it) nor over yet.
func (r *recorder) unsettled(ids []string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, id := range ids {
		t := r.calls[id]
		if t == nil || (t.Queued.IsZero() && t.Ended.IsZero()) {
			n++
		}
	}
	return n
}

// trace returns a copy of one call's trace.
func (r *recorder) trace(callID string) (callTrace, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.calls[callID]
	if !ok {
		return callTrace{}, false
	}
	return *t, true
}

// waitUntil blocks until cond holds or ctx ends; cond runs without the
// recorder's lock held, so it may call the recorder's accessors.
func (r *recorder) waitUntil(ctx context.Context, what string, cond func() bool) error {
	for {
		r.mu.Lock()
		ch := r.changed
		r.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("acdburst: waiting for %s: %w", what, ctx.Err())
		}
	}
}
