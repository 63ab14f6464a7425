package cluster

import (
	"context"
	"maps"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/kvstate"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// writePresence keeps the shared presence of the agents whose state the
// command changed, when what lasts (logged in, paused and why) changed.
// Only the leader writes, under its term; a replaced leader's late write
// is refused by the store.
func (l *Leader) writePresence(changed []acd.AgentInfo) {
	if len(changed) == 0 {
		return
	}
	term, ok := l.el.Leading()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.conn.settings.LeaseTTL)
	defer cancel()
	agents := l.openAgents(ctx)
	if agents == nil {
		return
	}
	for _, info := range changed {
		p := presenceOf(info)
		l.mu.Lock()
		last, seen := l.presence[p.Agent]
		l.mu.Unlock()
		if seen && last.State == p.State && last.Reason == p.Reason {
			continue
		}
		if !seen && p.State == "logged_out" {
			continue // nothing stored already means logged out
		}
		p.Updated = info.Since.UTC()
		if err := agents.Put(ctx, p, term); err != nil {
			l.conn.log.Warn("cluster: presence not written", "agent", p.Agent, "err", err)
			continue
		}
		l.mu.Lock()
		l.presence[p.Agent] = p
		l.mu.Unlock()
	}
}

// presenceOf is what lasts of an agent's state: logged out, paused (and
// why), or else available (ringing, talking and wrap-up included).
func presenceOf(info acd.AgentInfo) Presence {
	p := Presence{Agent: info.ID, State: "available"}
	switch info.State {
	case acd.LoggedOut:
		p.State = "logged_out"
	case acd.Paused:
		p.State, p.Reason = "paused", info.Reason
	}
	return p
}

// reconcilePresence writes the presence of every agent whose stored one
// differs from the ACD's: a leader that died before writing, or the
// commands replayed at start, leave such differences.
func (l *Leader) reconcilePresence() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*l.conn.settings.LeaseTTL)
	defer cancel()
	agents := l.openAgents(ctx)
	if agents == nil {
		return
	}
	stored, err := agents.All(ctx)
	if err != nil {
		l.conn.log.Warn("cluster: presence not read", "err", err)
		return
	}
	l.mu.Lock()
	infos := l.router.Agents()
	for _, p := range stored {
		l.presence[p.Agent] = p
	}
	l.mu.Unlock()
	l.writePresence(infos)
}

// openAgents opens the presence bucket once; the stream's goroutine
// (presence writes) and the Run goroutine (a takeover's reconciliation)
// both come here.
func (l *Leader) openAgents(ctx context.Context) *Agents {
	l.agentsMu.Lock()
	defer l.agentsMu.Unlock()
	if l.agents == nil {
		if a, err := l.conn.Agents(ctx); err == nil {
			l.agents = a
		}
	}
	return l.agents
}

// sweep notices nodes that were seen heartbeating and are gone: the
// leader sends node_gone for each (their calls end on every router) and
// drops their agents' registrations, whose phones must register again
// through a live node. A node never seen live is left alone. The calls
// of the nodes declared gone before are handed over (lost.go).
func (l *Leader) sweep(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, l.conn.settings.LeaseTTL)
	defer cancel()
	kv, err := l.conn.JS.KeyValue(sctx, l.conn.Names.Nodes())
	if err != nil {
		return
	}
	entries, err := kvstate.Snapshot(sctx, kv, jetstream.AllKeys)
	if err != nil {
		return
	}
	live := map[string]bool{}
	for _, e := range entries {
		live[e.Key()] = true
		l.seenLive[e.Key()] = true
		delete(l.goneSent, e.Key())
	}
	if _, ok := l.el.Leading(); !ok {
		return
	}
	l.handOverLost() // those of the node_gone sent at the last sweeps
	for _, n := range slices.Sorted(maps.Keys(l.seenLive)) {
		if live[n] || l.goneSent[n] || n == l.conn.Node {
			continue
		}
		if _, err := l.conn.SendCommand(sctx, routing.Command{Kind: routing.CmdNodeGone, Gone: n}); err != nil {
			l.conn.log.Warn("cluster: node_gone not sent", "gone", n, "err", err)
			continue
		}
		l.goneSent[n] = true
		l.conn.log.Warn("cluster: node gone: its calls end", "gone", n)
		l.dropRegistrations(sctx, n)
	}
}

func (l *Leader) dropRegistrations(ctx context.Context, node string) {
	regs, err := l.conn.Registrations(ctx)
	if err != nil {
		return
	}
	gone, err := regs.OfNode(ctx, node)
	if err != nil {
		return
	}
	for _, g := range gone {
		if err := regs.Remove(ctx, g.Agent, g.Contact); err != nil {
			l.conn.log.Warn("cluster: registration of a gone node not removed", "gone", node, "err", err)
		}
	}
}
