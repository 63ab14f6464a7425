package app

import (
	"github.com/hotline-oss/hotline/config"
)

// applyFeaturesLocked swaps the settings the care features, virtual hold and
// supervisor monitoring read, each behind its own atomic pointer: calls
// entering a queue from now on use them, calls already queued or talking
// keep what they captured (packages care and callback).
func (s *Server) applyFeaturesLocked(cfg *config.Config, res *ReloadResult) {
	s.care.Reload(cfg)
	if s.monitors != nil {
		s.monitors.SetSupervisors(cfg.Supervisors)
	}
	if s.workforce != nil {
		// Rules and agents apply now; shifts are read again from the database.
		s.workforce.Apply(workforceRules(cfg), workforceAgents(cfg))
	}
	if s.acd != nil {
		res.NeedsRestart = append(res.NeedsRestart, s.callbacks.Reload(cfg)...)
	}
}

// serviceLevelTargets is each queue's configured service_level_target;
// queues without one use the metrics' default.
func serviceLevelTargets(cfg *config.Config) map[string]float64 {
	targets := map[string]float64{}
	for name, q := range cfg.Queues {
		if q.ServiceLevelTarget != nil {
			targets[name] = *q.ServiceLevelTarget
		}
	}
	return targets
}
