package metrics

import "fmt"

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
