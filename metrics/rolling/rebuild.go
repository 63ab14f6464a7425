package rolling

import (
	"fmt"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// Since is the earliest moment a window covers at now: the start of
// today in the windows' location, or 30 minutes back when midnight is
// nearer. The history a rebuild needs starts there.
func (w *Set) Since(now time.Time) time.Time {
	day := startOfDay(now, w.loc)
	if back := now.Add(-time.Duration(ringBuckets) * bucketWidth); back.Before(day) {
		return back
	}
	return day
}

// Rebuild replaces what the windows hold with history, folded in order
// (events sorted by time). With a non-zero agentsLeft, every agent the
// history leaves talking, on hold or available is taken as logged out at
// that moment, so the time after it counts for no one's occupancy.
func (w *Set) Rebuild(history []call.Event, agentsLeft time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reset()
	for _, e := range history {
		switch e.Kind {
		case call.Queued, call.AgentAnswered, call.Abandoned, call.AgentStateChanged:
			w.fold(e)
		}
	}
	if agentsLeft.IsZero() {
		return
	}
	for agent, state := range w.agentState {
		if busy, idle := occupancyClass(state); busy != 0 || idle != 0 {
			w.fold(call.Event{Kind: call.AgentStateChanged, Time: agentsLeft, Agent: agent,
				PrevState: state, State: stateLoggedOut})
		}
	}
}

// stateLoggedOut is the ACD's state of an agent who is not logged in.
const stateLoggedOut = "logged_out"

// reset forgets every figure and agent state, keeping the configured
// queues on show; w.mu is held.
func (w *Set) reset() {
	w.queues = make(map[string]*queueWindow, len(w.thresholds))
	w.agentState = make(map[string]string)
	w.latest = time.Time{}
	for name := range w.thresholds {
		w.queue(name)
	}
}

// CheckTargets refuses a service-level target outside (0, 1].
func CheckTargets(targets map[string]float64) error {
	for queue, t := range targets {
		if t <= 0 || t > 1 {
			return fmt.Errorf("metrics: windows: queue %s: service level target %v not in (0, 1]", queue, t)
		}
	}
	return nil
}

// SetTargets replaces every queue's service-level target; queues left
// out go back to the default.
func (w *Set) SetTargets(targets map[string]float64) error {
	if err := CheckTargets(targets); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.targets = targets
	return nil
}

// Reload applies new thresholds, adds windows for new queues and moves
// each agent's occupancy to the queues it serves now.
func (w *Set) Reload(thresholds map[string]QueueThresholds, agentQueues map[string][]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := w.notBefore(w.clock.Now())
	for agent, state := range w.agentState {
		busy, idle := occupancyClass(state)
		if busy == 0 && idle == 0 {
			continue
		}
		was, now := w.agentQueues[agent], agentQueues[agent]
		for _, name := range was {
			if !slices.Contains(now, name) {
				w.queue(name).agentsChanged(at, w.loc, -busy, -idle)
			}
		}
		for _, name := range now {
			if !slices.Contains(was, name) {
				w.queue(name).agentsChanged(at, w.loc, busy, idle)
			}
		}
	}
	w.thresholds, w.agentQueues = thresholds, agentQueues
	for name := range thresholds {
		w.queue(name)
	}
}
