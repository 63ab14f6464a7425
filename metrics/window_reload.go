package metrics

import "github.com/hotline-oss/hotline/metrics/rolling"

// SetServiceLevelTargets replaces every queue's service_level_target (a
// configuration reload); queues left out go back to the default. The
// wallboard shows the new targets from its next refresh. It does nothing
// before EnableWindows.
func (m *Metrics) SetServiceLevelTargets(targets map[string]float64) error {
	if err := rolling.CheckTargets(targets); err != nil {
		return err
	}
	set := m.windows.Load()
	if set == nil {
		return nil
	}
	return set.SetTargets(targets)
}

// SetWindowQueues applies a configuration reload to the rolling windows:
// each queue's thresholds, windows for queues added (so they show before
// their first call), and which queues each agent serves. An agent whose
// queues changed counts towards the occupancy of its new queues from now
// on, and no longer towards those it left. It does nothing before
// EnableWindows.
func (m *Metrics) SetWindowQueues(thresholds map[string]QueueThresholds, agentQueues map[string][]string) {
	if set := m.windows.Load(); set != nil {
		set.Reload(thresholds, agentQueues)
	}
}
