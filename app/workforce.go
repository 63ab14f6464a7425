package app

import (
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
	"github.com/hotline-oss/hotline/workforce"
)

// startWorkforce builds schedules and adherence (package workforce): it
// follows agents' states on the bus, reads shifts from the store and
// publishes its alerts on the bus (and so to webhooks).
func (s *Server) startWorkforce() {
	cfg := s.cfg
	s.workforce = workforce.New(workforce.Options{
		Store: s.store, Publish: s.bus.Publish, Now: s.clock.Now, Log: s.log.With("component", "workforce"),
	}, workforceRules(cfg), workforceAgents(cfg))
	s.bus.Subscribe(s.workforce)
	s.metrics.Registry().MustRegister(s.workforce.Collector())
	s.workforce.Start()
}

func workforceRules(cfg *config.Config) workforce.Rules {
	w := cfg.WorkforceRules()
	queues := map[string]store.QueueThresholds{}
	for name, t := range queueThresholds(cfg) {
		queues[name] = store.QueueThresholds{ServiceLevel: t.ServiceLevel, ShortAbandon: t.ShortAbandon}
	}
	return workforce.Rules{
		Activities: w.Activities, LateLoginAfter: w.LateLoginAfter, EarlyLogoutBefore: w.EarlyLogoutBefore,
		AlertAfter: *w.AlertAfter, Target: w.AdherenceTarget, Location: cfg.ReportLocation(), Queues: queues,
	}
}

func workforceAgents(cfg *config.Config) []workforce.Agent {
	out := make([]workforce.Agent, 0, len(cfg.Agents))
	for _, a := range cfg.Agents {
		out = append(out, workforce.Agent{ID: a.ID, Name: a.Name, WorkNumber: a.WorkNumber, Queues: a.Queues})
	}
	return out
}

// mountWorkforce serves the schedule API and reports.
func (s *Server) mountWorkforce(tokens []web.Token) {
	s.web.WithSchedules(s.workforce.Control(), tokens, s.cfg.ReportLocation())
	s.web.WithWorkforceReports(s.workforce.Reports(), tokens, s.cfg.ReportLocation())
}
