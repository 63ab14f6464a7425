package app

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/app/selfstats"
	"github.com/hotline-oss/hotline/app/windowsync"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/webhooks"
)

// openStore opens the record store and subscribes it to the event stream:
// call records, agent states, and each agent's current state so that it
// survives a restart.
func (s *Server) openStore() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Config{
		DSN: s.cfg.DatabaseDSN(), DataDir: s.cfg.DataDir, Logger: s.log.With("component", "store"), Clock: s.clock,
		SpoolSync: s.spoolSync,
	})
	if err != nil {
		return err
	}
	s.store = st
	s.bus.Subscribe(st.Recorder())
	s.bus.Subscribe(call.SubscriberFunc(func(e call.Event) {
		if e.Kind == call.AgentStateChanged {
			st.SaveAgentStatus(store.AgentStatus{Agent: e.Agent, State: e.State, Reason: e.Reason, Since: e.Time, Updated: e.Time})
		}
	}))
	s.log.Info("records", "database", st.Dialect())
	selfstats.Store(s.metrics.Registry(), st)
	windows := windowsync.Folder{Metrics: s.metrics, Store: st, Now: func() time.Time { return s.clock.Now() }, Log: s.log, Cluster: s.cfg.Cluster.Enabled}
	windows.Rebuild()
	if s.cfg.Cluster.Enabled {
		s.windowRefresh = windows.StartRefresh()
	}
	return nil
}

func (s *Server) closeStore() {
	if s.store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.store.Close(ctx); err != nil {
		s.log.Warn("store closed with records left in the spool", "err", err)
	}
}

// webhookSink is the webhook dispatcher as the server uses it: a
// subscriber of the bus with delivery counts, closed at shutdown.
type webhookSink interface {
	HandleEvent(e call.Event)
	Stats() []webhooks.Stats
	Close(ctx context.Context) error
}
