package queueing

import (
	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/metrics"
)

// These reads are the only way other parts look into the ACD: nothing
// outside the runtime takes its lock.

// Snapshot reads every queue's live state for the metrics and wallboard;
// agents' personal queues stay out of it.
func (rt *Runtime[L]) Snapshot() []metrics.QueueSnapshot {
	rt.mu.Lock()
	stats := rt.acd.Queues()
	rt.mu.Unlock()
	return SnapshotOf(stats)
}

// SnapshotOf turns the ACD's queue figures into the metrics' snapshot,
// leaving agents' personal queues out.
func SnapshotOf(stats []acd.QueueStats) []metrics.QueueSnapshot {
	out := make([]metrics.QueueSnapshot, 0, len(stats))
	for _, q := range stats {
		if IsPersonalQueue(q.Name) {
			continue
		}
		agents := make(map[string]int, len(q.Agents))
		for state, n := range q.Agents {
			agents[state.String()] = n
		}
		out = append(out, metrics.QueueSnapshot{
			Name: q.Name, Waiting: q.Waiting, Agents: agents,
			OldestWaitSeconds: q.OldestWait.Seconds(), ExpectedWaitSeconds: q.ExpectedWait.Seconds(),
		})
	}
	return out
}

// Agents is every agent as the ACD sees it now.
func (rt *Runtime[L]) Agents() []acd.AgentInfo {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.acd.Agents()
}

// Agent is one agent as the ACD sees it now.
func (rt *Runtime[L]) Agent(id string) (acd.AgentInfo, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.acd.Agent(id)
}

// LoggedIn reports whether an agent is logged in (in any state but
// logged_out), so a transfer to it can wait in its personal queue.
func (rt *Runtime[L]) LoggedIn(id string) bool {
	info, err := rt.Agent(id)
	return err == nil && info.State != acd.LoggedOut
}

// CallbackState is a pending callback's state to persist.
func (rt *Runtime[L]) CallbackState(id string) (acd.RestoredCallback, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return acd.RestoredCallback{}, false
	}
	return rt.acd.CallbackState(id)
}

// CallbacksPending counts each queue's pending callbacks.
func (rt *Runtime[L]) CallbacksPending() map[string]int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.acd.CallbacksPending()
}

// Setting returns a queue's call-path settings, as of the last reload.
func (rt *Runtime[L]) Setting(name string) (Settings, bool) {
	qs, ok := (*rt.settings.Load())[name]
	return qs, ok
}

// HasQueue reports whether name is a configured queue (or an agent's
// personal one).
func (rt *Runtime[L]) HasQueue(name string) bool {
	_, ok := rt.Setting(name)
	return ok
}

// IsAgent reports whether id is a configured agent.
func (rt *Runtime[L]) IsAgent(id string) bool { return rt.HasQueue(PersonalQueue(id)) }

// Waiting lists the callers waiting in every queue but agents' personal
// ones, by queue and position.
func (rt *Runtime[L]) Waiting() []acd.WaitingCall {
	rt.mu.Lock()
	all := rt.acd.Waiting()
	rt.mu.Unlock()
	out := all[:0]
	for _, w := range all {
		if !IsPersonalQueue(w.Queue) {
			out = append(out, w)
		}
	}
	return out
}
