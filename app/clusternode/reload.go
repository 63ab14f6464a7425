package clusternode

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/app/reload"
	"github.com/hotline-oss/hotline/cluster/confighash"
	"github.com/hotline-oss/hotline/config"
)

// Reloads is the server's reload controller as the node uses it.
type Reloads interface {
	// Follow reloads this node's copy of the file after another node.
	Follow() (reload.Result, *config.Config, error)
	// UnlessReloaded runs f unless a reload was applied since start.
	UnlessReloaded(f func())
}

// Reloaded follows a successful reload: the node publishes what it now
// runs among the live nodes and, when the reload began here (from is
// empty: SIGHUP or the API), tells the other nodes, which reload their
// own copies of the file. A reload that began on node from is compared
// with what that node runs: a node whose file was not updated says so in
// its log and in hotline_cluster_config_differs.
func (n *Node) Reloaded(cfg *config.Config, from string, fromSections ...map[string]string) {
	if cfg == nil {
		return
	}
	sections, err := confighash.Sections(cfg)
	if err != nil {
		n.log.Error("cluster: configuration not hashed after the reload", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := n.member.Republish(ctx, sections); err != nil {
		n.log.Warn("cluster: reloaded configuration not published", "err", err)
	}
	if from == "" {
		if err := n.conn.AnnounceReload(sections); err != nil {
			n.log.Error("cluster: the other nodes were not told of the reload: reload each of them", "err", err)
		}
		n.conn.ConfigDiffers(false)
		return
	}
	differs := len(fromSections) > 0 && len(confighash.Diff(sections, fromSections[0])) > 0
	n.conn.ConfigDiffers(differs)
	if differs {
		n.log.Error("cluster: after the reload this node's configuration differs from the node that reloaded first: copy the same file to every node and reload",
			"node", from, "sections", confighash.Diff(sections, fromSections[0]))
	}
}

// FollowReloads makes this node reload whenever another node of the
// cluster did. The reload runs on a goroutine of its own: the NATS
// delivery goroutine must not wait for it.
func (n *Node) FollowReloads(r Reloads) {
	stop, err := n.conn.WatchReloads(func(from string, sections map[string]string) {
		go n.reloadAfter(r, from, sections)
	})
	if err != nil {
		n.log.Error("cluster: this node will not follow the others' reloads", "err", err)
		return
	}
	n.stopReloads = stop
}

func (n *Node) reloadAfter(r Reloads, from string, sections map[string]string) {
	res, cfg, err := r.Follow()
	if err != nil {
		n.log.Error("cluster: reload after another node's failed: this node keeps its configuration", "node", from, "err", err)
		n.conn.ConfigDiffers(true)
		return
	}
	n.log.Info("cluster: reloaded after another node", "node", from, "changed", res.Changed)
	n.Reloaded(cfg, from, sections)
}

// convergeACDWithin bounds the wait for this node's router to replay the
// stream at start (55 000 commands take under a second).
const convergeACDWithin = time.Minute

// ConvergeACD makes the cluster's ACD run this node's agents and queues
// (own, read when it is sent) once its router has replayed the stream as it stood at start.
// They differ when the stream's last reload came from an older file:
// every node was stopped and started again with a new one (a node whose
// file differs from the live nodes' does not get this far). The node
// then sends the reload itself. A reload begun since, here or on another
// node, is newer than the file at start and wins (clusterq.ConvergeAfter).
func (n *Node) ConvergeACD(r Reloads, own func() acd.Config) {
	if n.queue == nil {
		return
	}
	n.done.Add(1)
	go func() {
		defer n.done.Done()
		deadline := time.Now().Add(convergeACDWithin)
		for n.leader.Applied() < n.startSeq {
			if n.ctx.Err() != nil {
				return
			}
			if time.Now().After(deadline) {
				n.log.Warn("cluster: the stream was not replayed in time: the agents and queues are not checked against this node's file", "applied", n.leader.Applied(), "start", n.startSeq)
				return
			}
			select {
			case <-n.ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
		r.UnlessReloaded(func() {
			if err := n.queue.ConvergeAfter(own(), n.startSeq); err != nil {
				n.log.Error("cluster: the agents and queues of this node's file were not sent to the cluster: reload this node", "err", err)
			}
		})
	}()
}
