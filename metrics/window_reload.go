package metrics

import (
	"fmt"
	"slices"
)

// SetServiceLevelTargets replaces every queue's service_level_target (a
// configuration reload); queues left out go back to the default. The
// wallboard shows the new targets from its next refresh. It does nothing
// before EnableWindows.
func (m *Metrics) SetServiceLevelTargets(targets map[string]float64) error {
	for queue, t := range targets {
		if t <= 0 || t > 1 {
			return fmt.Errorf("metrics: windows: queue %s: service level target %v not in (0, 1]", queue, t)
		}
	}
	set := m.windows.Load()
	if set == nil {
		return nil
	}
	set.mu.Lock()
	defer set.mu.Unlock()
	set.targets = targets
	return nil
}

// SetWindowQueues applies a configuration reload to the rolling windows:
// each queue's thresholds, windows for queues added (so they show before
// their first call), and which queues each agent serves. An agent whose
// queues changed counts towards the occupancy of its new queues from now
// on, and no longer towards those it left. It does nothing before
// EnableWindows.
func (m *Metrics) SetWindowQueues(thresholds map[string]QueueThresholds, agentQueues map[string][]string) {
	if set := m.windows.Load(); set != nil {
		set.reload(thresholds, agentQueues)
	}
}

func (w *windowSet) reload(thresholds map[string]QueueThresholds, agentQueues map[string][]string) {
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
