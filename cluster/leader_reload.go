package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/hotline-oss/hotline/cluster/routing"
)

// How long a node tries to fetch a reload's configuration before its
// router applies the command without it: the stream waits meanwhile.
var fetchRetries = []time.Duration{250 * time.Millisecond, time.Second, 2 * time.Second}

// fetchTimeout bounds one attempt.
const fetchTimeout = 2 * time.Second

// prepareReload runs before the router applies a command, outside the
// Leader's lock (it may wait on NATS): a reload's configuration is
// fetched, so that the router finds it (Conn.ConfigLookup). A node that
// cannot fetch or read it applies the command anyway: its router refuses
// it (routing.ErrConfigUnavailable) and its ACD keeps the agents and
// queues it ran, unlike the other nodes'. That is said in the log and in
// hotline_cluster_config_differs (counted in
// hotline_cluster_reload_failures_total) until a later reload applies;
// reloading this node publishes the cluster's file again (docs/cluster.md).
func (l *Leader) prepareReload(seq uint64, cmd routing.Command, ok bool) {
	if !ok || cmd.Kind != routing.CmdReload || seq <= l.Applied() {
		return // a redelivery after a reconnection: the router skips it
	}
	err := l.conn.fetchWithRetries(cmd.Hash)
	if err == nil {
		l.conn.metrics.acdReload(true)
		return
	}
	l.conn.metrics.acdReload(false)
	l.conn.log.Error("cluster: a reload's agents and queues could not be fetched: this node's ACD keeps its own and differs from the other nodes' until the next reload; reload this node",
		"seq", seq, "from", cmd.Node, "hash", cmd.Hash, "err", err)
}

// fetchWithRetries fetches a reload's configuration, trying again after a
// failure that may pass (NATS slow or away) but not after one that will
// not (nothing stored, or not a configuration this node reads).
func (c *Conn) fetchWithRetries(hash string) error {
	var err error
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		err = c.fetchACDConfig(ctx, hash)
		cancel()
		if err == nil || errors.Is(err, errConfigGone) || errors.Is(err, errConfigUnreadable) || i == len(fetchRetries) {
			return err
		}
		time.Sleep(fetchRetries[i])
	}
}
