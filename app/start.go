package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/app/agentrestore"
	"github.com/hotline-oss/hotline/app/reload"
	"github.com/hotline-oss/hotline/app/selfstats"
	"github.com/hotline-oss/hotline/app/sipsetup"
	"github.com/hotline-oss/hotline/app/snapshot"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/web"
	"github.com/hotline-oss/hotline/webhooks"
)

// Start opens the data directory, the media engine, SIP and HTTP, one
// step after the other: each step needs what the ones before it built.
func (s *Server) Start() error {
	if err := s.startMetrics(); err != nil {
		return err
	}
	if err := s.startServices(); err != nil {
		return err
	}
	s.startPacer()
	if err := s.newSIP(); err != nil {
		return err
	}
	if err := s.startCalls(); err != nil {
		return err
	}
	if err := s.startWeb(); err != nil {
		return err
	}
	s.log.Info("hotline started", "numbers", len(s.routing().Numbers), "flows", len(s.routing().Flows), "prompts", s.prompts.Len())
	return nil
}

// startMetrics opens the data directory and sets up what every later step
// reports to: the collectors, hot reload, the monitors' hook, the rolling
// windows and the webhooks.
func (s *Server) startMetrics() error {
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

// startServices opens the store and the features that keep their own
// records: workforce, self-service and care.
func (s *Server) startServices() error {
	if err := s.openStore(); err != nil {
		return err
	}
	selfstats.Subscribers(s.metrics.Registry(), s.hooks, s.store)
	s.startWorkforce()
	if err := s.startSelfService(); err != nil {
		return err
	}
	return s.startCare()
}

// startPacer starts the media engine's send pacing.
func (s *Server) startPacer() {
	var opts []media.PacerOption
	opts = append(opts, media.WithLatenessObserver(s.metrics.ObserveSendLateness))
	opts = append(opts, selfstats.MediaOptions(s.metrics.EnableMedia(s.ports.InUse))...)
	if s.cfg.RTP.PacerWorkers > 0 {
		opts = append(opts, media.WithWorkers(s.cfg.RTP.PacerWorkers))
	}
	s.pacer = media.NewPacer(opts...)
	s.pacer.Start()
}

// newSIP builds the SIP endpoint, and before it the queueing (clustered or
// not) that its registrations and consultations reach; nothing listens yet.
func (s *Server) newSIP() error {
	cfg := s.cfg
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
	if err := s.startQueueing(&sipCfg); err != nil {
		return err
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
	s.sip, err = sip.New(sipCfg, s.ports, s.pacer, s.bus, func(ctx context.Context, c *sip.Call) { s.flow.HandleCall(ctx, c) })
	return err
}

// startQueueing builds the standalone ACD (a clustered node has its
// queueing already) and hooks agents' registrations and consultations
// into SIP. Nothing is done without queues.
func (s *Server) startQueueing(sipCfg *sip.Config) error {
	if len(s.compiled.acd.Queues) == 0 {
		return nil
	}
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
	s.applyQueueMetrics(s.cfg)
	s.metrics.SetSnapshotSource(s.acd.Snapshot)
	return nil
}

// startCalls builds the call path and lets SIP take calls, with what runs
// beside them: restored agents, callbacks, tickets, the cluster's
// decisions, trunks and quality.
func (s *Server) startCalls() error {
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
	return s.startQuality()
}

// startWeb mounts every HTTP route and starts listening.
func (s *Server) startWeb() error {
	cfg := s.cfg
	s.web = web.New(s.metrics.Handler(), s.ready, s.log, web.WithServerClock(s.clock.Now), web.WithPageLanguage(cfg.DefaultLanguage))
	s.web.WithWallboard(s.wallboard, s.wallboardTickets()...)
	if len(cfg.API.Tokens) > 0 {
		if err := s.mountAPI(); err != nil {
			return err
		}
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
	return s.web.Start(cfg.HTTP.Listen)
}

// mountAPI mounts the token-protected REST API: agent control, reports,
// recordings, events, reload, monitoring and workforce.
func (s *Server) mountAPI() error {
	cfg := s.cfg
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
	return nil
}
