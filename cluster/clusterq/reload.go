package clusterq

import (
	"context"
	"errors"
	"fmt"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/queueing"
)

// Reload is a reload that began on this node (SIGHUP or the API): the
// cluster's ACD is brought to cfg (Converge), then the call path's
// settings (music, exit digit…) are taken. A configuration the ACD
// refuses changes nothing, on any node.
func (q *Queueing[L]) Reload(cfg acd.Config, settings map[string]queueing.Settings) error {
	if q.isClosed() {
		return queueing.ErrStopped
	}
	if err := q.Converge(cfg); err != nil {
		return err
	}
	q.settings.Store(&settings)
	return nil
}

// Converge makes the cluster's ACD run cfg: when this node's router runs
// other agents and queues, cfg is stored in NATS and a reload command
// goes into the stream, so that every node's router changes them after
// the same commands. It returns once this node's router has applied the
// command, with the ACD's answer. The same agents and queues send
// nothing.
func (q *Queueing[L]) Converge(cfg acd.Config) error {
	if q.isClosed() {
		return queueing.ErrStopped
	}
	hash, _, err := routing.EncodeConfig(cfg)
	if err != nil {
		return fmt.Errorf("cluster: reload: %w", err)
	}
	var running string
	q.deps.Leader.View(func(r *routing.Router) { running = r.ConfigHash() })
	if hash == running {
		return nil
	}
	return q.publishReload(cfg, "")
}

// ConvergeAfter is Converge for a node that has just replayed the stream
// up to upTo (its start): it sends a reload only while the agents and
// queues its router runs come from that replay, and on the condition
// that they are still the ones running when the command is applied
// (routing.Command.Prev). A reload that another node began meanwhile is
// newer than this node's file at start, and always wins.
func (q *Queueing[L]) ConvergeAfter(cfg acd.Config, upTo uint64) error {
	if q.isClosed() {
		return queueing.ErrStopped
	}
	hash, _, err := routing.EncodeConfig(cfg)
	if err != nil {
		return fmt.Errorf("cluster: reload: %w", err)
	}
	var running string
	var last uint64
	q.deps.Leader.View(func(r *routing.Router) { running, last = r.ConfigHash(), r.LastReload() })
	if hash == running || last > upTo {
		return nil
	}
	err = q.publishReload(cfg, running)
	if errors.Is(err, routing.ErrReloadSuperseded) {
		return nil
	}
	return err
}

// publishReload stores cfg and sends its reload; prev, if set, makes it
// conditional.
func (q *Queueing[L]) publishReload(cfg acd.Config, prev string) error {
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	hash, err := q.deps.Conn.PublishACDConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("cluster: reload not sent: %w", err)
	}
	if err := q.send(routing.Command{Kind: routing.CmdReload, Hash: hash, Prev: prev}); err != nil {
		return fmt.Errorf("cluster: reload: %w", err)
	}
	return nil
}

// FollowReload takes the call path's settings of a reload that began on
// another node. The agents and queues are not this node's to change: its
// router applies the reload command of the node that began it, at its
// place in the stream (a node whose file was not updated shows it in
// hotline_cluster_config_differs, never sends its own).
func (q *Queueing[L]) FollowReload(settings map[string]queueing.Settings) error {
	if q.isClosed() {
		return queueing.ErrStopped
	}
	q.settings.Store(&settings)
	return nil
}

func (q *Queueing[L]) isClosed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}
