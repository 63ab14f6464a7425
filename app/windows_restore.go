package app

import (
	"context"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/store"
)

// rebuildWindowsTimeout bounds the read of today's records at start; a
// database that slow starts the node with empty windows rather than late.
const rebuildWindowsTimeout = 20 * time.Second

// clusterWindowsRefresh is how often a node of a cluster refolds the shared
// records into its rolling windows (docs/cluster.md, "Figures").
const clusterWindowsRefresh = 10 * time.Second

// rebuildWindows refills the rolling windows (15m, 30m, today) and today's
// wallboard counts from the stored records, so that a restart loses no
// figure. On a cluster's shared database the records are every node's, so
// the rebuilt figures are the cluster's. Without its database the node
// starts with empty windows and says so.
func (s *Server) rebuildWindows(st *store.Store) {
	if err := s.foldRecordsIntoWindows(st); err != nil {
		s.log.Warn("rolling windows not rebuilt from the records: they start empty", "err", err)
	}
}

// foldRecordsIntoWindows replaces the windows' contents with the records
// of the span they cover.
func (s *Server) foldRecordsIntoWindows(st *store.Store) error {
	now := s.clock.Now()
	since := s.metrics.WindowsSince(now)
	if since.IsZero() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), rebuildWindowsTimeout)
	defer cancel()
	history, err := st.WindowEvents(ctx, since, now.Add(time.Millisecond))
	if err != nil {
		return err
	}
	agentsLeft := now
	if s.cfg.Cluster.Enabled {
		agentsLeft = time.Time{} // the cluster's agents went on meanwhile
	}
	s.metrics.RebuildWindows(history, agentsLeft)
	s.log.Debug("rolling windows rebuilt from the records", "since", since, "events", len(history))
	return nil
}

// windowRefresher refolds the shared records into a clustered node's
// windows until stopped.
type windowRefresher struct {
	stopOnce sync.Once
	quit     chan struct{}
	done     chan struct{}
}

// startWindowRefresh keeps a clustered node's windows the cluster's: each
// node sees only its own callers' events, but every node's records are in
// the shared database.
func (s *Server) startWindowRefresh(st *store.Store) *windowRefresher {
	r := &windowRefresher{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		tick := time.NewTicker(clusterWindowsRefresh)
		defer tick.Stop()
		failing := false // log once per outage, not every 10 s
		for {
			select {
			case <-r.quit:
				return
			case <-tick.C:
				err := s.foldRecordsIntoWindows(st)
				switch {
				case err != nil && !failing:
					s.log.Warn("rolling windows not refreshed from the shared records: they keep their last figures", "err", err)
				case err == nil && failing:
					s.log.Info("rolling windows refreshed from the shared records again")
				}
				failing = err != nil
			}
		}
	}()
	return r
}

func (r *windowRefresher) stop() {
	if r == nil {
		return
	}
	r.stopOnce.Do(func() { close(r.quit) })
	<-r.done
}
