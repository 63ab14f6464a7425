package app

import (
	"github.com/hotline-oss/hotline/app/snapshot"
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
	}, snapshot.WorkforceRules(cfg), snapshot.WorkforceAgents(cfg))
	s.bus.Subscribe(s.workforce)
	s.metrics.Registry().MustRegister(s.workforce.Collector())
	s.workforce.Start()
}

// mountWorkforce serves the schedule API and reports.
func (s *Server) mountWorkforce(tokens []web.Token) {
	s.web.WithSchedules(s.workforce.Control(), tokens, s.cfg.ReportLocation())
	s.web.WithWorkforceReports(s.workforce.Reports(), tokens, s.cfg.ReportLocation())
}
