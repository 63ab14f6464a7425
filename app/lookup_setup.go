package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/metrics"
)

// selfService holds the server's self-service parts: account services,
// outage notices and fault reports.
type selfService struct {
	lookups map[string]*LookupClient
	board   *noticeBoard // nil without a store
	faults  *faultDesk
	metrics *metrics.SelfService
	// played, when set, sees every playback of a call's IVR: tests check
	// what a caller heard without decoding audio.
	played atomic.Pointer[func(callID string, refs []ivr.PromptRef)]
}

// hasLookupService reports whether a lookup node's service is configured.
func (s *Server) hasLookupService(name string) bool {
	_, ok := s.cfg.Services[name]
	return ok && name != WorkOrderService
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
			names = append(names, faultPromptNames()...)
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
	self := &selfService{lookups: map[string]*LookupClient{}}
	var names []string
	for name, svc := range cfg.Services {
		if name == WorkOrderService {
			continue
		}
		url := func() string { return svc.URL }
		if svc.URL == config.BuiltinDemoURL {
			url = func() string { return "http://builtin.demo" + DemoAccountsPath }
		}
		c := NewLookupClient(name, svc, url, serverClock{s})
		if svc.URL == config.BuiltinDemoURL {
			// In process: the demo works before the HTTP listener is up
			// and without loopback networking.
			c.http = &http.Client{Transport: handlerTransport{demoAccountsHandler(serverClock{s}, cfg.ReportLocation())}}
		}
		self.lookups[name] = c
		names = append(names, name)
	}
	self.metrics = metrics.NewSelfService(s.metrics.Registry(), names)
	s.bus.Subscribe(self.metrics)
	if s.store != nil {
		self.board = newNoticeBoard(s.store, cfg.DataDir, cfg.Languages, cfg.DefaultLanguage, serverClock{s}, s.log)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := self.board.load(ctx); err != nil {
			// The database may be down at start: calls go on without
			// area notices until the next write reloads them.
			s.log.Warn("outage notices not loaded", "err", err)
		}
	}
	fd, err := newFaultDesk(s)
	if err != nil {
		return fmt.Errorf("fault reports: %w", err)
	}
	self.faults = fd
	s.self = self
	return nil
}

// mountSelfService adds the demo account service and the notice and fault
// APIs to the HTTP server before it starts.
func (s *Server) mountSelfService() {
	for _, svc := range s.cfg.Services {
		if svc.URL == config.BuiltinDemoURL {
			s.web.Mount(DemoAccountsPath, demoAccountsHandler(serverClock{s}, s.cfg.ReportLocation()))
			break
		}
	}
	if len(s.cfg.API.Tokens) == 0 || s.self == nil {
		return
	}
	if s.self.board != nil {
		s.web.WithNotices(noticeControl{s.self.board}, apiTokens(s))
	}
	if s.self.faults != nil && s.store != nil {
		s.web.WithFaults(faultControl{s.self.faults}, apiTokens(s))
	}
}

// areaNotices is the IVR's view of the notice board.
func (s *Server) areaNotices(area string) []ivr.AreaNotice {
	if s.self == nil || s.self.board == nil {
		return nil
	}
	return s.self.board.forArea(area)
}

// serverClock reads the server's clock at each call, so a test that swaps
// the clock after Prepare is seen by every part.
type serverClock struct{ s *Server }

func (c serverClock) Now() time.Time { return c.s.clock.Now() }
