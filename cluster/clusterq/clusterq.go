package clusterq

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/cluster"
	"github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/queueing"
)

// ErrNotClustered refuses a command the cluster's routing does not carry
// (one of a type this package does not know).
var ErrNotClustered = errors.New("not available in a cluster yet")

// Deps are what a node's clustered queueing works with; all are required
// but Log and Publish.
type Deps[L queueing.AgentLeg] struct {
	Conn *cluster.Conn
	// Leader routes on this node; it must not run before New returns.
	Leader *cluster.Leader
	Dialer queueing.Dialer[L]
	// Phones tells whether an agent has a phone registered anywhere in
	// the cluster.
	Phones queueing.Phones
	Log    *slog.Logger
	// Publish announces the ACD's events that belong to this node.
	Publish func(call.Event)
	// OnInternalError counts a command of this node that broke an
	// invariant of the ACD (every router ended the call it concerned).
	OnInternalError func()
	// ApplyTimeout bounds the wait for this node's router to apply a
	// command it sent (default 5 s).
	ApplyTimeout time.Duration
}

// Queueing is one node's clustered queueing.
type Queueing[L queueing.AgentLeg] struct {
	deps     Deps[L]
	log      *slog.Logger
	settings atomic.Pointer[map[string]queueing.Settings]

	mu      sync.Mutex
	calls   *queueing.Calls[L]      // this node's callers, their ringing and connected legs
	pending map[string]map[string]L // call → agent → leg answered, not yet connected
	results map[uint64]chan error   // seq → Do waiting for its outcome
	early   map[uint64]earlyOutcome // outcomes that came before the sender knew its seq
	first   map[string]call.Event   // command id → the event announced before the ACD's own
	handled seqSet                  // decisions already carried out
	closed  bool
}

var _ queueing.Queueing[queueing.AgentLeg] = (*Queueing[queueing.AgentLeg])(nil)

// New takes over carrying out this node's decisions. Call it before the
// Leader's Run, so that no outcome of this node's commands is missed.
func New[L queueing.AgentLeg](settings map[string]queueing.Settings, deps Deps[L]) (*Queueing[L], error) {
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	if deps.ApplyTimeout <= 0 {
		deps.ApplyTimeout = 5 * time.Second
	}
	q := &Queueing[L]{
		deps: deps, log: deps.Log,
		calls:   queueing.NewCalls[L](deps.Log),
		pending: map[string]map[string]L{},
		results: map[uint64]chan error{},
		early:   map[uint64]earlyOutcome{},
		first:   map[string]call.Event{},
		handled: newSeqSet(8192),
	}
	q.settings.Store(&settings)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	deps.Leader.BeforeApply(q.before)
	if err := deps.Leader.Observe(ctx, q.applied, q.publish); err != nil {
		return nil, err
	}
	deps.Leader.CarryOut(q.decide)
	return q, nil
}

func (q *Queueing[L]) publish(e call.Event) {
	if q.deps.Publish != nil {
		q.deps.Publish(e)
	}
}

// Join opens a caller's mailbox.
func (q *Queueing[L]) Join(callID, caller string) *queueing.Mailbox {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.calls.Join(callID, caller)
}

// Leave closes a caller's mailbox, stops its ringing and hangs up any
// agent leg nobody took.
func (q *Queueing[L]) Leave(callID string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var hang []L
	if leg, ok := q.calls.Leave(callID); ok {
		hang = append(hang, leg)
	}
	for _, leg := range q.pending[callID] {
		hang = append(hang, leg)
	}
	delete(q.pending, callID)
	for _, leg := range hang {
		go leg.Hangup()
	}
}

// TakeLeg hands the connected agent leg to the caller's goroutine.
func (q *Queueing[L]) TakeLeg(callID string) L {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.calls.TakeLeg(callID)
}

// Agents is every agent of the cluster as this node's router sees it.
func (q *Queueing[L]) Agents() (out []acd.AgentInfo) {
	q.deps.Leader.View(func(r *routing.Router) { out = r.Agents() })
	return out
}

// Agent is one agent of the cluster.
func (q *Queueing[L]) Agent(id string) (info acd.AgentInfo, err error) {
	q.deps.Leader.View(func(r *routing.Router) { info, err = r.Agent(id) })
	return info, err
}

// LoggedIn reports whether an agent is logged in anywhere in the cluster.
func (q *Queueing[L]) LoggedIn(id string) bool {
	info, err := q.Agent(id)
	return err == nil && info.State != acd.LoggedOut
}

// Snapshot is every queue of the cluster, for the metrics and wallboard.
func (q *Queueing[L]) Snapshot() []metrics.QueueSnapshot {
	var stats []acd.QueueStats
	q.deps.Leader.View(func(r *routing.Router) { stats = r.Queues() })
	return queueing.SnapshotOf(stats)
}

// Waiting lists the callers waiting anywhere in the cluster, by queue and
// position, leaving out agents' personal queues (as the standalone
// runtime does).
func (q *Queueing[L]) Waiting() []acd.WaitingCall {
	var all []acd.WaitingCall
	q.deps.Leader.View(func(r *routing.Router) { all = r.Waiting() })
	out := all[:0]
	for _, w := range all {
		if !queueing.IsPersonalQueue(w.Queue) {
			out = append(out, w)
		}
	}
	return out
}

// CallbacksPending counts each queue's pending callbacks.
func (q *Queueing[L]) CallbacksPending() (out map[string]int) {
	q.deps.Leader.View(func(r *routing.Router) { out = r.CallbacksPending() })
	return out
}

// CallbackState is a pending callback's state to persist; false once it
// is gone or queueing has stopped.
func (q *Queueing[L]) CallbackState(id string) (cb acd.RestoredCallback, ok bool) {
	q.mu.Lock()
	closed := q.closed
	q.mu.Unlock()
	if closed {
		return cb, false
	}
	q.deps.Leader.View(func(r *routing.Router) { cb, ok = r.CallbackState(id) })
	return cb, ok
}

// Setting returns a queue's call-path settings.
func (q *Queueing[L]) Setting(name string) (queueing.Settings, bool) {
	qs, ok := (*q.settings.Load())[name]
	return qs, ok
}

// HasQueue reports whether name is a configured queue (or an agent's
// personal one).
func (q *Queueing[L]) HasQueue(name string) bool {
	_, ok := q.Setting(name)
	return ok
}

// IsAgent reports whether id is a configured agent.
func (q *Queueing[L]) IsAgent(id string) bool { return q.HasQueue(queueing.PersonalQueue(id)) }

// Registration logs an agent out once no phone of theirs is registered
// on any node.
func (q *Queueing[L]) Registration(agent string, registered bool) {
	if registered || (q.deps.Phones != nil && q.deps.Phones.Registered(agent)) || !q.LoggedIn(agent) {
		return
	}
	if err := q.Do(queueing.AgentLogout{Agent: agent}); err != nil {
		q.log.Info("cluster: logout on unregister", "agent", agent, "err", err)
	}
}

// Close stops carrying out decisions and every ringing; commands fail
// from then on. The connection and the Leader are the caller's to stop.
func (q *Queueing[L]) Close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	q.calls.CancelAll()
	q.mu.Unlock()
}
