package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/app/agentrestore"
	"github.com/hotline-oss/hotline/app/clusternode"
	"github.com/hotline-oss/hotline/app/promptset"
	"github.com/hotline-oss/hotline/app/reload"
	"github.com/hotline-oss/hotline/app/selfstats"
	"github.com/hotline-oss/hotline/app/sipsetup"
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
	"github.com/hotline-oss/hotline/webhooks"
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

// enableWindows turns on the rolling 15 min / 30 min / today figures that
// the wallboard and the hotline_*_ratio gauges show.
func (s *Server) enableWindows() error {
	cfg := s.cfg
	opts := []metrics.WindowOption{metrics.WithAgentQueues(snapshot.AgentQueues(cfg)), metrics.WithServiceLevelTargets(snapshot.ServiceLevelTargets(cfg))}
	if cfg.Cluster.Enabled {
		opts = append(opts, metrics.WithRecordsOnly()) // app/windowsync
	}
	return s.metrics.EnableWindows(cfg.ReportLocation(), s.clock, snapshot.QueueThresholds(cfg), opts...)
}

// Start opens the data directory, the media engine, SIP and HTTP.
func (s *Server) Start() error {
	cfg := s.cfg
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data_dir: %w", err)
	}
	s.metrics = metrics.New()
	s.reload.Init(reload.Deps{Running: cfg, Apply: s.applyReload, Follow: s.applyFollowedReload, Now: func() time.Time { return s.clock.Now() },
		Log: s.log, Registry: s.metrics.Registry()})
	s.registerInternalErrors()
	s.monitors = newMonitor(s)
	s.onBridge = s.monitors
	s.bus.Subscribe(s.metrics)
	if err := s.enableWindows(); err != nil {
		return err
	}
	if len(cfg.Webhooks) > 0 {
		hooks, err := webhooks.New(cfg.Webhooks, webhooks.Options{}, s.log)
		if err != nil {
			return err
		}
		s.hooks = hooks
		s.bus.Subscribe(hooks)
	}
	if err := s.openStore(); err != nil {
		return err
	}
	selfstats.Subscribers(s.metrics.Registry(), s.hooks, s.store)
	s.startWorkforce()
	if err := s.startSelfService(); err != nil {
		return err
	}
	if err := s.startCare(); err != nil {
		return err
	}
	var opts []media.PacerOption
	opts = append(opts, media.WithLatenessObserver(s.metrics.ObserveSendLateness))
	opts = append(opts, selfstats.MediaOptions(s.metrics.EnableMedia(s.ports.InUse))...)
	if cfg.RTP.PacerWorkers > 0 {
		opts = append(opts, media.WithWorkers(cfg.RTP.PacerWorkers))
	}
	s.pacer = media.NewPacer(opts...)
	s.pacer.Start()

	sipCfg, err := sipsetup.Config(cfg, s.prompts, s.clock.Now, s.log)
	if err != nil {
		return err
	}
	sipCfg.IsHotline = func(n string) bool { _, ok := s.routing().Numbers[n]; return ok }
	if cfg.Cluster.Enabled {
		if err := s.startCluster(); err != nil { // cluster.go: the clustered queueing
			return err
		}
	}
	if len(s.compiled.acd.Queues) > 0 {
		if s.cluster == nil {
			a, err := acd.New(s.compiled.acd, s.clock, acd.WithObserver(s.bus.Publish), s.care.StickyOption())
			if err != nil {
				return err
			}
			s.acd = s.newQueueing(a)
		}
		s.restored = &agentrestore.Pending{Floor: s.acd, Now: func() time.Time { return s.clock.Now() }, Log: s.log}
		sipCfg.OnRegistration = s.restored.OnRegistration
		sipCfg.Consult = func(ctx context.Context, c *sip.Call) int { return s.flow.RingConsult(ctx, c) }
		s.applyQueueMetrics(cfg)
		s.metrics.SetSnapshotSource(s.acd.Snapshot)
	}
	sipCfg.AgentPassword = s.sipPassword // agents and supervisors (monitor.go)
	sipCfg.IsInternal = func(number string) bool { return s.flow.IsInternal(number) }
	s.sipSeries(&sipCfg)       // sipwiring.go
	s.applyClusterSIP(&sipCfg) // cluster.go: shared phones, 503, consult redirect
	if sipCfg.TLS, err = sipsetup.TLS(cfg, s.clock.Now(), s.log); err != nil {
		return err
	}
	if err := s.newTrunks(&sipCfg); err != nil { // trunks.go
		return err
	}
	if s.sip, err = sip.New(sipCfg, s.ports, s.pacer, s.bus, func(ctx context.Context, c *sip.Call) { s.flow.HandleCall(ctx, c) }); err != nil {
		return err
	}
	s.restoreAgents() // queueing.go
	if err := s.startCallbacks(); err != nil {
		return err
	}
	if err := s.startTickets(); err != nil {
		return err
	}
	s.flow = s.newFlow() // before SIP starts: every call runs through it
	if err := s.sip.Start(); err != nil {
		return err
	}
	if s.cluster != nil {
		s.runCluster() // cluster.go: decisions may ring agents from now on
		if s.callbacks != nil {
			s.callbacks.Restore() // now that this node follows the stream
		}
	}
	s.startTrunks()
	if err := s.startQuality(); err != nil {
		return err
	}
	s.web = web.New(s.metrics.Handler(), s.ready, s.log, web.WithServerClock(s.clock.Now), web.WithPageLanguage(cfg.DefaultLanguage))
	s.web.WithWallboard(s.wallboard, s.wallboardTickets()...)
	if len(cfg.API.Tokens) > 0 {
		if s.acd != nil {
			err := s.web.WithAPI(s.agentControl(), apiTokens(s), web.WithAPIPauseReasons(cfg.AgentPanel.Reasons()),
				web.WithAPIDispositionCategories(acd.Categories))
			if err != nil {
				return err
			}
		}
		s.web.WithReports(s.reports(), apiTokens(s), cfg.ReportLocation())
		s.web.WithRecordings(s.recordings(), apiTokens(s), cfg.ReportLocation())
		hub := web.NewEventHub(web.WithCallerNumbers(!cfg.MaskNumbers()))
		s.bus.Subscribe(hub)
		selfstats.Drops(s.metrics.Registry(), "sse", func() float64 { return float64(hub.Dropped()) })
		s.web.WithEvents(hub, apiTokens(s))
		s.web.WithReload(reloadAPI{s}, apiTokens(s))
		s.mountMonitor()
		s.mountWorkforce(apiTokens(s))
	}
	if err := s.startAgentPanel(); err != nil {
		return err
	}
	s.mountSelfService()
	s.mountQuality(apiTokens(s))
	if err := s.mountConsole(apiTokens(s)); err != nil {
		return err
	}
	s.mountTickets()
	s.withAudit(apiTokens(s)) // every write route, the agent panel's too
	if err := s.web.Start(cfg.HTTP.Listen); err != nil {
		return err
	}
	s.log.Info("hotline started", "numbers", len(s.routing().Numbers), "flows", len(s.routing().Flows), "prompts", s.prompts.Len())
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
