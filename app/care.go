package app

import (
	"github.com/hotline-oss/hotline/care"
	"github.com/hotline-oss/hotline/metrics"
)

// startCare builds the care features (package care) and registers their
// metrics. It runs in Start after the store is open and before the ACD is
// built, which takes its sticky observer.
func (s *Server) startCare() error {
	deps := care.Deps{
		Registry:  s.metrics.Registry(),
		Subscribe: s.bus.Subscribe,
		Publish:   s.bus.Publish,
		MoveTo:    func(callID string, stage metrics.Stage) { s.metrics.MoveTo(callID, stage) },
		Clock:     s.clock,
		Log:       s.log,
		DataDir:   s.cfg.DataDir,
	}
	if s.store != nil {
		deps.Store = s.store
	}
	svc, err := care.New(s.cfg, deps)
	if err != nil {
		return err
	}
	s.care = svc
	return nil
}
