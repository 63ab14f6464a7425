package selfservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// Clock tells the time; the server passes its own, so tests that move it
// are seen by every part.
type Clock interface{ Now() time.Time }

// ErrUnknownService: a look-up names a service that is not configured.
var ErrUnknownService = errors.New("service not configured")

// Deps is what a Service is built from.
type Deps struct {
	Services        map[string]config.Service // services: section; WorkOrderService receives fault reports
	DataDir         string                    // notices/ and faults/ live under it
	Languages       []string
	DefaultLanguage string
	Location        *time.Location // the day of demo dates and local work-order numbers
	Store           *store.Store   // nil: no notices, work orders numbered in memory
	Clock           Clock
	Log             *slog.Logger
}

// Service holds the self-service state: one client per account service,
// the notice board and the fault desk.
type Service struct {
	lookups map[string]*lookupClient
	board   *noticeBoard // nil without a store
	faults  *faultDesk
	clock   Clock
	store   *store.Store
}

// LookupServiceNames lists the configured account services (every service
// but the work-order receiver), sorted.
func LookupServiceNames(services map[string]config.Service) []string {
	var names []string
	for name := range services {
		if name != WorkOrderService {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// HasLookupService reports whether a lookup node may name service name.
func HasLookupService(services map[string]config.Service, name string) bool {
	_, ok := services[name]
	return ok && name != WorkOrderService
}

// New builds the service clients, the notice board (with a store) and the
// fault desk, whose directory it creates. It reads no notices: see
// LoadNotices.
func New(d Deps) (*Service, error) {
	s := &Service{lookups: map[string]*lookupClient{}, clock: d.Clock, store: d.Store}
	for name, svc := range d.Services {
		if name == WorkOrderService {
			continue
		}
		url := func() string { return svc.URL }
		if svc.URL == config.BuiltinDemoURL {
			url = func() string { return "http://builtin.demo" + DemoAccountsPath }
		}
		c := newLookupClient(name, svc, url, d.Clock)
		if svc.URL == config.BuiltinDemoURL {
			// In process: the demo works before the HTTP listener is up
			// and without loopback networking.
			c.poster.Client = &http.Client{Transport: handlerTransport{DemoAccountsHandler(d.Clock, d.Location)}}
		}
		s.lookups[name] = c
	}
	if d.Store != nil {
		s.board = newNoticeBoard(d.Store, d.DataDir, d.Languages, d.DefaultLanguage, d.Clock, d.Log)
	}
	fd, err := newFaultDesk(d)
	if err != nil {
		return nil, fmt.Errorf("fault reports: %w", err)
	}
	s.faults = fd
	return s, nil
}

// LoadNotices reads the notices that are not expired, and their
// recordings. Without a store there is nothing to load.
func (s *Service) LoadNotices(ctx context.Context) error {
	if s.board == nil {
		return nil
	}
	return s.board.load(ctx)
}

// Lookup asks account service service about req.Account; result is one of
// the Lookup* constants. A service that is not configured fails with
// ErrUnknownService and LookupError.
func (s *Service) Lookup(ctx context.Context, service string, req LookupRequest) (LookupAnswer, string, error) {
	c := s.lookups[service]
	if c == nil {
		return LookupAnswer{}, LookupError, fmt.Errorf("lookup %s: %w", service, ErrUnknownService)
	}
	return c.Lookup(ctx, req)
}

// AreaNotices lists the notices active now for area, oldest first, as the
// IVR plays them.
func (s *Service) AreaNotices(area string) []interp.AreaNotice {
	if s == nil || s.board == nil {
		return nil
	}
	return s.board.forArea(area)
}

// NoticePrompt finds the recording of a notice the IVR named; nil when
// ref is no notice's or the notice is gone.
func (s *Service) NoticePrompt(ref ivr.PromptRef) *playout.Prompt {
	if s == nil || s.board == nil {
		return nil
	}
	return s.board.prompt(ref)
}

// NoticeControl is the notice API's view of the board; nil without a
// store.
func (s *Service) NoticeControl() web.NoticeControl {
	if s.board == nil {
		return nil
	}
	return noticeControl{s.board}
}

// FaultControl is the fault API's view of the work orders; nil without a
// store.
func (s *Service) FaultControl() web.FaultControl {
	if s.faults == nil || s.store == nil {
		return nil
	}
	return faultControl{s.faults}
}
