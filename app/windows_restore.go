package app

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/store"
)

// rebuildWindowsTimeout bounds the read of today's records at start; a
// database that slow starts the node with empty windows rather than late.
const rebuildWindowsTimeout = 20 * time.Second

// rebuildWindows refills the rolling windows (15m, 30m, today) and today's
// wallboard counts from the stored records, so that a restart loses no
// figure. On a cluster's shared database the records are every node's, so
// the rebuilt figures are the cluster's. Without its database the node
// starts with empty windows and says so.
func (s *Server) rebuildWindows(st *store.Store) {
	now := s.clock.Now()
	since := s.metrics.WindowsSince(now)
	if since.IsZero() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), rebuildWindowsTimeout)
	defer cancel()
	history, err := st.WindowEvents(ctx, since, now.Add(time.Millisecond))
	if err != nil {
		s.log.Warn("rolling windows not rebuilt from the records: they start empty", "err", err)
		return
	}
	agentsLeft := now
	if s.cfg.Cluster.Enabled {
		agentsLeft = time.Time{} // the cluster's agents went on meanwhile
	}
	s.metrics.RebuildWindows(history, agentsLeft)
	s.log.Info("rolling windows rebuilt from the records", "since", since, "events", len(history))
}
