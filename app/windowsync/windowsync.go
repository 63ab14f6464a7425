package windowsync

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/store"
)

// rebuildWindowsTimeout bounds the read of today's records at start; a
// database that slow starts the node with empty windows rather than late.
const rebuildWindowsTimeout = 20 * time.Second

// clusterWindowsRefresh is how often a node of a cluster refolds the shared
// records into its rolling windows (docs/cluster.md, "Figures").
const clusterWindowsRefresh = 10 * time.Second

// Folder refolds the stored records into the metrics' rolling windows.
type Folder struct {
	Metrics *metrics.Metrics
	Store   *store.Store
	Now     func() time.Time
	Log     *slog.Logger
	// Cluster: the records are the cluster's, and its agents went on
	// while this node was away.
	Cluster bool
}

// Rebuild refills the rolling windows (15m, 30m, today) and today's
// wallboard counts from the stored records, so that a restart loses no
// figure. On a cluster's shared database the records are every node's, so
// the rebuilt figures are the cluster's. Without its database the node
// starts with empty windows and says so.
func (f Folder) Rebuild() {
	if err := f.fold(); err != nil {
		f.Log.Warn("rolling windows not rebuilt from the records: they start empty", "err", err)
	}
}

// fold replaces the windows' contents with the records
// of the span they cover.
func (f Folder) fold() error {
	now := f.Now()
	since := f.Metrics.WindowsSince(now)
	if since.IsZero() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), rebuildWindowsTimeout)
	defer cancel()
	history, err := f.Store.WindowEvents(ctx, since, now.Add(time.Millisecond))
	if err != nil {
		return err
	}
	agentsLeft := now
	if f.Cluster {
		agentsLeft = time.Time{} // the cluster's agents went on meanwhile
	}
	f.Metrics.RebuildWindows(history, agentsLeft)
	f.Log.Debug("rolling windows rebuilt from the records", "since", since, "events", len(history))
	return nil
}

// Refresher refolds the shared records into a clustered node's windows
// until stopped.
type Refresher struct {
	stopOnce sync.Once
	quit     chan struct{}
	done     chan struct{}
}

// StartRefresh keeps a clustered node's windows the cluster's: each
// node sees only its own callers' events, but every node's records are in
// the shared database.
func (f Folder) StartRefresh() *Refresher {
	r := &Refresher{quit: make(chan struct{}), done: make(chan struct{})}
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
				err := f.fold()
				switch {
				case err != nil && !failing:
					f.Log.Warn("rolling windows not refreshed from the shared records: they keep their last figures", "err", err)
				case err == nil && failing:
					f.Log.Info("rolling windows refreshed from the shared records again")
				}
				failing = err != nil
			}
		}
	}()
	return r
}

// Stop ends the refresh and waits for it; a nil Refresher is a no-op.
func (r *Refresher) Stop() {
	if r == nil {
		return
	}
	r.stopOnce.Do(func() { close(r.quit) })
	<-r.done
}
