package app

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/selfservice"
)

// startSelfService builds the service clients, loads the notices and
// registers the metrics; it runs in Start once the store is open.
func (s *Server) startSelfService() error {
	cfg := s.cfg
	deps := selfservice.Deps{
		Services: cfg.Services, DataDir: cfg.DataDir, Languages: cfg.Languages, DefaultLanguage: cfg.DefaultLanguage,
		Location: cfg.ReportLocation(), Store: s.store, Clock: serverClock{s}, Log: s.log,
	}
	self, err := selfservice.New(deps)
	if err != nil {
		return err
	}
	m := metrics.NewSelfService(s.metrics.Registry(), selfservice.LookupServiceNames(cfg.Services))
	s.bus.Subscribe(m)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := self.LoadNotices(ctx); err != nil {
		// The database may be down at start: calls go on without
		// area notices until the next write reloads them.
		s.log.Warn("outage notices not loaded", "err", err)
	}
	s.self = self
	return nil
}

// mountSelfService adds the demo account service and the notice and fault
// APIs to the HTTP server before it starts.
func (s *Server) mountSelfService() {
	for _, svc := range s.cfg.Services {
		if svc.URL == config.BuiltinDemoURL {
			s.web.Mount(selfservice.DemoAccountsPath, selfservice.DemoAccountsHandler(serverClock{s}, s.cfg.ReportLocation()))
			break
		}
	}
	if len(s.cfg.API.Tokens) == 0 || s.self == nil {
		return
	}
	if c := s.self.NoticeControl(); c != nil {
		s.web.WithNotices(c, apiTokens(s))
	}
	if c := s.self.FaultControl(); c != nil {
		s.web.WithFaults(c, apiTokens(s))
	}
}

// areaNotices is the IVR's view of the notice board.
func (s *Server) areaNotices(area string) []interp.AreaNotice {
	return s.self.AreaNotices(area)
}

// serverClock reads the server's clock at each call, so a test that swaps
// the clock after Prepare is seen by every part.
type serverClock struct{ s *Server }

func (c serverClock) Now() time.Time { return c.s.clock.Now() }
