package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/hotline-oss/hotline/app/reload"
	"github.com/hotline-oss/hotline/app/snapshot"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/queueing"
)

// ReloadResult says what a reload changed and what it could not (see
// app/reload, which decides it).
type ReloadResult = reload.Result

func (s *Server) routing() *snapshot.Routing { return s.routes.Load() }

// agentPassword is the registrar's password look-up: a reload's new
// passwords apply from the next REGISTER.
func (s *Server) agentPassword(user string) (string, bool) {
	p, ok := s.routing().Passwords[user]
	return p, ok
}

// SetConfigSource sets where ReloadConfig reads the configuration: by
// default the file the running one came from (or the embedded demo).
// cmd/hotline sets one that applies its command-line overrides again.
func (s *Server) SetConfigSource(source func() (*config.Config, error)) {
	s.reload.SetSource(source)
}

// ReloadConfig reads the configuration again and applies it (SIGHUP and
// POST /api/v1/reload). An invalid configuration changes nothing: the
// error is a *web.ConfigRejected listing every problem.
//
// On a node of a cluster the reload is the cluster's: the other nodes are
// told and reload their own copies of the file (cluster.go, app/clusternode).
func (s *Server) ReloadConfig() (ReloadResult, error) {
	res, cfg, err := s.reloadFromSource()
	if err == nil {
		s.clusterReloaded(cfg, "")
	}
	return res, err
}

// reloadFromSource reads and applies the configuration; it returns the
// configuration it applied.
func (s *Server) reloadFromSource() (ReloadResult, *config.Config, error) {
	return s.reload.FromSource()
}

// Reload applies an already parsed configuration, as ReloadConfig does.
func (s *Server) Reload(cfg *config.Config) (ReloadResult, error) { return s.reload.Reload(cfg) }

// applyReload is how the parts take a reloaded configuration (app/reload
// calls it, serialised, once it has said what changes): it compiles cfg
// into a snapshot with the same code as Prepare, then applies it part by
// part: the ACD's agents and queues, the routing table, the metrics'
// queues, then the features. Running calls are not touched: they hold
// their flow, and the ACD keeps their state.
func (s *Server) applyReload(cfg *config.Config, res *ReloadResult) error {
	return s.applyReloadOf(cfg, res, false)
}

// applyFollowedReload is applyReload for a reload that began on another
// node of the cluster (cluster.go, app/clusternode).
func (s *Server) applyFollowedReload(cfg *config.Config, res *ReloadResult) error {
	return s.applyReloadOf(cfg, res, true)
}

// applyReloadOf is applyReload; following: see reloadQueueing.
func (s *Server) applyReloadOf(cfg *config.Config, res *ReloadResult, following bool) error {
	next, err := snapshot.Compile(cfg, s.prompts)
	if err != nil {
		return err
	}
	switch {
	case s.acd != nil:
		if err := s.reloadQueueing(next, following); err != nil {
			if !errors.Is(err, queueing.ErrStopped) {
				err = fmt.Errorf("acd: %w", err)
			}
			return err
		}
	case len(next.ACD.Queues) > 0:
		res.NeedsRestart = append(res.NeedsRestart,
			"agents, queues: the server started without any; restart to bring them in")
	}
	s.routes.Store(next.Routes)
	if s.metrics != nil {
		s.applyQueueMetrics(cfg)
		if err := s.metrics.SetServiceLevelTargets(snapshot.ServiceLevelTargets(cfg)); err != nil {
			s.log.Warn("service level targets not reloaded", "err", err) // config validation already refused these
		}
	}
	s.applyFeatures(cfg, res)
	return nil
}

// applyFeatures swaps the settings the care features, virtual hold and
// supervisor monitoring read, each behind its own atomic pointer: calls
// entering a queue from now on use them, calls already queued or talking
// keep what they captured (packages care and callback).
func (s *Server) applyFeatures(cfg *config.Config, res *ReloadResult) {
	s.care.Reload(cfg)
	if s.monitors != nil {
		s.monitors.SetSupervisors(cfg.Supervisors)
	}
	if s.workforce != nil {
		// Rules and agents apply now; shifts are read again from the database.
		s.workforce.Apply(snapshot.WorkforceRules(cfg), snapshot.WorkforceAgents(cfg))
	}
	if s.acd != nil {
		res.NeedsRestart = append(res.NeedsRestart, s.callbacks.Reload(cfg)...)
	}
}

// reloadAPI is POST /api/v1/reload.
type reloadAPI struct{ s *Server }

func (r reloadAPI) Reload(context.Context) (any, error) { return r.s.ReloadConfig() }
