package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/selfservice"
)

// hasLookupService reports whether a lookup node's service is configured.
func (s *Server) hasLookupService(name string) bool {
	return selfservice.HasLookupService(s.cfg.Services, name)
}

// checkSelfService checks the services and the prompts that self-service
// nodes compose at run time (numbers, amounts, dates), which a flow's own
// references cannot name. It runs in Prepare, so check-config reports them.
func (s *Server) checkSelfService(flows map[string]*ivr.Flow) error {
	cfg := s.cfg
	errs := []error{cfg.CheckServices()}
	needs := map[ivr.NodeType]bool{}
	for _, f := range flows {
		for _, n := range f.Nodes {
			needs[n.Type] = true
		}
	}
	for _, lang := range cfg.Languages {
		var names []string
		if needs[ivr.TypeSayAcct] {
			names = append(names, ivr.AccountSpeechPromptNames(lang)...)
		}
		if needs[ivr.TypeFaultReport] {
			names = append(names, selfservice.FaultPromptNames()...)
		}
		var missing []string
		for _, name := range names {
			if !s.prompts.Has(lang, name) && !slices.Contains(missing, name) {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			errs = append(errs, cfg.Errorf("flows", "flows: prompts for spoken numbers, dates and work orders missing for language %s: %v", lang, missing))
		}
	}
	return errors.Join(errs...)
}

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
