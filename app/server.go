package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/app/agentrestore"
	"github.com/hotline-oss/hotline/app/clusternode"
	"github.com/hotline-oss/hotline/app/promptset"
	"github.com/hotline-oss/hotline/app/reload"
	"github.com/hotline-oss/hotline/app/snapshot"
	"github.com/hotline-oss/hotline/app/windowsync"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/callback"
	"github.com/hotline-oss/hotline/callflow"
	"github.com/hotline-oss/hotline/care"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/portpool"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/monitor"
	"github.com/hotline-oss/hotline/prompts"
	"github.com/hotline-oss/hotline/quality"
	"github.com/hotline-oss/hotline/selfservice"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/tickets"
	"github.com/hotline-oss/hotline/trunk"
	"github.com/hotline-oss/hotline/web"
	"github.com/hotline-oss/hotline/workforce"
)

// Server is one running hotline.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	bus      *call.Bus
	metrics  *metrics.Metrics
	prompts  *promptset.Set
	routes   atomic.Pointer[snapshot.Routing] // flows, numbers, calendars, notice: swapped whole by a reload
	ports    *portpool.Pool
	pacer    *media.Pacer
	sip      *sip.Endpoint
	acd      queues // nil without queues
	store    *store.Store
	hooks    webhookSink   // nil without webhooks
	care     *care.Service // survey, sticky agent, complainers, recording (package care)
	compiled *compiled     // the configuration as compiled at start (app/snapshot)
	web      *web.Server
	reload   reload.Controller // hot reload: app/reload, applied by reload.go
	clock    clock
	callInfo callInfoSlot         // call details for the agent panel
	self     *selfservice.Service // account lookups, outage notices, fault reports
	// played, when set, sees every playback of a call's IVR: tests check
	// what a caller heard without decoding audio.
	played atomic.Pointer[func(callID string, refs []ivr.PromptRef)]
	// callbacks: virtual hold (package callback); nil when no queue offers it
	callbacks *callback.Service
	// tickets: complaints and work orders followed to closure (package
	// tickets, wired in tickets.go); nil without a store
	tickets      *tickets.Service
	ticketTicker *time.Ticker
	trunks       *trunk.Set // carriers' trunks (trunks.go); nil when none
	// monitors: supervisors' listen/whisper/barge (package monitor,
	// wired in monitor.go); onBridge is its hook on the call path
	monitors *monitor.Service
	// quality: evaluation forms, the review queue and scores (quality.go).
	quality     *quality.Service
	qualityStop func()
	onBridge    bridgeWatcher
	// workforce: schedules, adherence, attendance (workforce.go)
	workforce *workforce.Service
	// flow: the call path (package callflow), built once SIP is
	flow *callflow.Flow
	// restored: agents' states from before a restart, waiting for their
	// phones to register (app/agentrestore)
	restored *agentrestore.Pending
	// windowRefresh refolds the shared records into the rolling windows
	// of a clustered node (app/windowsync); nil when standalone.
	windowRefresh *windowsync.Refresher
	// internalErrors: invariant violations recovered (queueing.go)
	internalErrors internalErrors
	// cluster: this node's part in a cluster (app/clusternode, handed its
	// parts in cluster.go); nil standalone
	cluster *clusternode.Node
	// spoolSync: tests stall the store's disk here (nil: the real fsync)
	spoolSync func(*os.File) error
}

// NewLogger builds the structured logger the configuration asks for.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Prepare loads and checks everything a configuration refers to — prompts,
// flows, calendars, numbers, ports — without opening any socket. It is what
// `hotline check-config` runs.
func Prepare(cfg *config.Config, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, log: log, bus: &call.Bus{}, clock: realClock{}}
	var err error
	s.prompts, err = promptset.Load(prompts.FS, cfg.PromptsDir, cfg.Languages)
	if err != nil {
		return nil, err // everything below looks prompts up
	}
	// Each part is checked even when another failed, so that an operator
	// sees every problem of the file at once.
	r, flowsErr := snapshot.CompileRoutes(cfg, s.prompts)
	snap, queuesErr := snapshot.CompileQueues(cfg, s.prompts, r)
	_, earlyErr := snapshot.EarlyMedia(cfg, s.prompts)
	errs := []error{flowsErr, snapshot.CheckSelfService(cfg, s.prompts, r.Flows), queuesErr, s.preparePorts(), earlyErr}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s.compiled = &compiled{acd: snap.ACD, queues: snap.Queues}
	s.routes.Store(r)
	return s, nil
}

// preparePorts builds the RTP port pool. A bad address or range was
// reported by the configuration's own checks; check-config may still get
// here with one.
func (s *Server) preparePorts() error {
	cfg := s.cfg
	low, high, err := config.ParsePortRange(cfg.RTP.Ports)
	if err != nil {
		return cfg.Errorf("rtp", "rtp.ports: %v", err)
	}
	rtpIP, err := netip.ParseAddr(cfg.RTP.Address)
	if err != nil {
		return cfg.Errorf("rtp", "rtp.address %q: want an IP address", cfg.RTP.Address)
	}
	if s.ports, err = portpool.New(rtpIP, low, high); err != nil {
		return cfg.Errorf("rtp", "rtp.ports: %v", err)
	}
	return nil
}

func (s *Server) ready() error {
	if s.sip == nil {
		return errors.New("starting")
	}
	if s.sip.Draining() {
		return errors.New("draining")
	}
	if s.cluster != nil && !s.cluster.Up() {
		return errors.New("cluster: NATS is not connected")
	}
	return nil
}

// SIPAddr is the bound SIP address (UDP and TCP).
func (s *Server) SIPAddr() netip.AddrPort { return s.sip.Addr() }

// HTTPAddr is the bound HTTP address.
func (s *Server) HTTPAddr() string { return s.web.Addr() }

// Metrics exposes the collectors (tests read them).
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// Store exposes the record store (tests read records back).
func (s *Server) Store() *store.Store { return s.store }

// Bus exposes the event bus (tests and integrations subscribe to it).
func (s *Server) Bus() *call.Bus { return s.bus }

// ActiveCalls is the number of calls in progress.
func (s *Server) ActiveCalls() int {
	if s.sip == nil {
		return 0
	}
	return s.sip.ActiveCalls()
}

// PortsInUse is the number of RTP ports held by calls.
func (s *Server) PortsInUse() int { return s.ports.InUse() }

// Shutdown drains: new calls get 503, calls in progress may finish until
// ctx is done, then the rest are hung up and everything closes.
func (s *Server) Shutdown(ctx context.Context) {
	if s.sip != nil {
		s.sip.Drain()
		if err := s.sip.Wait(ctx); err != nil {
			s.log.Info("grace period over: hanging up", "calls", s.sip.ActiveCalls())
		}
	}
	s.Close()
}

// Close stops everything at once.
func (s *Server) Close() {
	s.callbacks.Close() // before the ACD and the store: saves or ends pending callbacks
	s.closeTickets()    // return visits in flight end before SIP and the store
	if s.acd != nil {
		s.acd.Close()
	}
	if s.cluster != nil {
		s.cluster.Close()
	}
	s.trunks.Close() // before the endpoint: withdraws the registrations
	if s.sip != nil {
		_ = s.sip.Close()
	}
	if s.web != nil {
		_ = s.web.Close()
	}
	if s.pacer != nil {
		s.pacer.Stop()
	}
	if s.workforce != nil {
		s.workforce.Close() // before the webhooks: it may still raise an alert
	}
	if s.hooks != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.hooks.Close(ctx)
		cancel()
	}
	s.care.Close()
	if s.qualityStop != nil {
		s.qualityStop()
		s.qualityStop = nil // Close may follow Shutdown, which closed already
	}
	s.windowRefresh.Stop() // before the store it reads
	s.closeStore()
}

type clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
