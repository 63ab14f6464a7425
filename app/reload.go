package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/callflow"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/web"
)

// routing is the part of the configuration calls look up as they arrive.
// A reload builds a new one and swaps the pointer; nothing in it is
// changed once published, so a call keeps the flow it started with.
type routing struct {
	callflow.Routes // numbers, calendars, notice: what the call path reads
	flows           map[string]*ivr.Flow
	passwords       map[string]string // agent id → SIP digest password
}

func (s *Server) routing() *routing { return s.routes.Load() }

// agentPassword is the registrar's password look-up: a reload's new
// passwords apply from the next REGISTER.
func (s *Server) agentPassword(user string) (string, bool) {
	p, ok := s.routing().passwords[user]
	return p, ok
}

func agentPasswords(cfg *config.Config) map[string]string {
	out := make(map[string]string, len(cfg.Agents))
	for _, a := range cfg.Agents {
		out[a.ID] = a.AgentPassword()
	}
	return out
}

// ReloadResult says what a reload changed and what it could not.
type ReloadResult struct {
	Changed      []string `json:"changed"`
	NeedsRestart []string `json:"needs_restart"`
}

// reloadState serialises reloads and remembers what was applied last.
type reloadState struct {
	mu      sync.Mutex
	source  func() (*config.Config, error)
	applied *config.Config
	total   *prometheus.CounterVec
	last    prometheus.Gauge
}

// SetConfigSource sets where ReloadConfig reads the configuration: by
// default the file the running one came from (or the embedded demo).
// cmd/hotline sets one that applies its command-line overrides again.
func (s *Server) SetConfigSource(source func() (*config.Config, error)) {
	s.reload.mu.Lock()
	defer s.reload.mu.Unlock()
	s.reload.source = source
}

func (s *Server) defaultConfigSource() (*config.Config, error) {
	if s.cfg.File == config.DemoName {
		return config.Parse(config.DemoName, config.Demo())
	}
	return config.LoadFile(s.cfg.File)
}

// ReloadConfig reads the configuration again and applies it (SIGHUP and
// POST /api/v1/reload). An invalid configuration changes nothing: the
// error is a *web.ConfigRejected listing every problem.
//
// On a node of a cluster the reload is the cluster's: the other nodes are
// told and reload their own copies of the file (cluster_reload.go).
func (s *Server) ReloadConfig() (ReloadResult, error) {
	res, cfg, err := s.reloadFromSource(false)
	if err == nil {
		s.clusterReloaded(cfg, "")
	}
	return res, err
}

// reloadFromSource reads and applies the configuration; it returns the
// configuration it applied. following: the reload began on another node
// of the cluster (cluster_reload.go).
func (s *Server) reloadFromSource(following bool) (ReloadResult, *config.Config, error) {
	s.reload.mu.Lock()
	defer s.reload.mu.Unlock()
	source := s.reload.source
	if source == nil {
		source = s.defaultConfigSource
	}
	cfg, err := source()
	if err != nil {
		err = rejected(err)
		s.observeReload(ReloadResult{}, err)
		return ReloadResult{}, nil, err
	}
	res, err := s.applyLocked(cfg, following)
	s.observeReload(res, err)
	return res, cfg, err
}

// Reload applies an already parsed configuration, as ReloadConfig does.
func (s *Server) Reload(cfg *config.Config) (ReloadResult, error) {
	s.reload.mu.Lock()
	defer s.reload.mu.Unlock()
	res, err := s.applyLocked(cfg, false)
	s.observeReload(res, err)
	return res, err
}

// applyLocked is the one place a configuration is reloaded: it compiles
// cfg into a snapshot with the same code as Prepare (snapshot.go), says
// what changed and what needs a restart (reload_diff.go), then applies the
// snapshot part by part: the ACD's agents and queues, the routing table,
// the metrics' queues, then the features (applyFeaturesLocked). Running
// calls are not touched: they hold their flow, and the ACD keeps their
// state. following: see reloadQueueing.
func (s *Server) applyLocked(cfg *config.Config, following bool) (ReloadResult, error) {
	next, err := compile(cfg, s.prompts)
	if err != nil {
		return ReloadResult{}, rejected(err)
	}
	prev := s.reload.applied
	if prev == nil {
		prev = s.cfg
	}
	res := ReloadResult{Changed: describeChanges(prev, cfg), NeedsRestart: restartOnly(s.cfg, cfg)}
	switch {
	case s.acd != nil:
		if err := s.reloadQueueing(next, following); err != nil {
			if !errors.Is(err, queueing.ErrStopped) {
				err = fmt.Errorf("acd: %w", err)
			}
			return ReloadResult{}, rejected(err)
		}
	case len(next.acd.Queues) > 0:
		res.NeedsRestart = append(res.NeedsRestart,
			"agents, queues: the server started without any; restart to bring them in")
	}
	s.routes.Store(next.routes)
	if s.metrics != nil {
		s.applyQueueMetrics(cfg)
		if err := s.metrics.SetServiceLevelTargets(serviceLevelTargets(cfg)); err != nil {
			s.log.Warn("service level targets not reloaded", "err", err) // config validation already refused these
		}
	}
	s.applyFeaturesLocked(cfg, &res)
	s.reload.applied = cfg
	if res.Changed == nil {
		res.Changed = []string{}
	}
	if res.NeedsRestart == nil {
		res.NeedsRestart = []string{}
	}
	return res, nil
}

// rejected turns validation errors into the API's list of problems.
func rejected(err error) error {
	var problems []string
	for _, e := range flatten(err) {
		problems = append(problems, e.Error())
	}
	return &web.ConfigRejected{Problems: problems}
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// registerReloadMetrics exports the reload counters; the timestamp starts
// at the startup load.
func (s *Server) registerReloadMetrics() {
	s.reload.total = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hotline_config_reloads_total",
		Help: "Configuration reloads (SIGHUP or API), by result.",
	}, []string{"result"})
	s.reload.last = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "hotline_config_last_reload_timestamp",
		Help: "Unix time of the last successful configuration load (startup or reload).",
	})
	s.reload.total.WithLabelValues("ok")
	s.reload.total.WithLabelValues("error")
	s.reload.last.Set(float64(s.clock.Now().UnixMilli()) / 1000)
	s.metrics.Registry().MustRegister(s.reload.total, s.reload.last)
}

func (s *Server) observeReload(res ReloadResult, err error) {
	if err != nil {
		if s.reload.total != nil {
			s.reload.total.WithLabelValues("error").Inc()
		}
		var rj *web.ConfigRejected
		if errors.As(err, &rj) {
			s.log.Error("configuration reload rejected; the running configuration stays",
				"problems", strings.Join(rj.Problems, "; "))
		} else {
			s.log.Error("configuration reload failed", "err", err)
		}
		return
	}
	if s.reload.total != nil {
		s.reload.total.WithLabelValues("ok").Inc()
		s.reload.last.Set(float64(s.clock.Now().UnixMilli()) / 1000)
	}
	s.log.Info("configuration reloaded", "changed", res.Changed, "needs_restart", res.NeedsRestart)
}

// reloadAPI is POST /api/v1/reload.
type reloadAPI struct{ s *Server }

func (r reloadAPI) Reload(context.Context) (any, error) { return r.s.ReloadConfig() }
