package cluster

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
	"github.com/nats-io/nats.go/jetstream"
)

// rememberCommands is how many recent commands' decisions a node keeps, to
// re-send those a dead leader may not have sent.
const rememberCommands = 4096

// tickEvery is how often the leader checks the ACD's timers: ring
// timeouts and announcements fire at most this late.
const tickEvery = 50 * time.Millisecond

// Leader runs the routing on every node: each node applies the whole
// command stream to its own Router (a hot standby, so a takeover needs no
// rebuild), and whichever node holds the lease at that moment sends the
// decisions and the tick commands for the ACD's timers.
type Leader struct {
	conn *Conn
	el   *Elector

	mu       sync.Mutex
	router   *routing.Router
	catchUp  uint64 // the stream's end at start: nothing up to it is decided again
	recent   []recentDecisions
	resentAt uint64    // the term whose takeover re-send is done
	tickSent time.Time // last tick command sent, so one is in flight at a time

	// Presence last written (or seen written), by agent; on the stream's
	// goroutine only.
	presence map[string]Presence
	agents   *Agents

	// Dead nodes (sweep, on the Run goroutine only).
	swept    time.Time
	seenLive map[string]bool // nodes seen heartbeating
	goneSent map[string]bool // nodes whose node_gone was sent
}

type recentDecisions struct {
	seq uint64
	at  time.Time
	ds  []routing.Decision
}

// NewLeader prepares the routing of one node over cfg; Run starts it.
func NewLeader(conn *Conn, el *Elector, cfg acd.Config, opts ...acd.Option) (*Leader, error) {
	r, err := routing.NewRouter(cfg, opts...)
	if err != nil {
		return nil, err
	}
	return &Leader{conn: conn, el: el, router: r, seenLive: map[string]bool{}, goneSent: map[string]bool{},
		presence: map[string]Presence{}}, nil
}

// Run follows the stream (first catching up with what it holds, without
// deciding) and, while this node leads, decides and ticks, until ctx ends.
func (l *Leader) Run(ctx context.Context) error {
	st, err := l.conn.JS.Stream(ctx, l.conn.Names.CommandStream())
	if err != nil {
		return fmt.Errorf("cluster: leader: %w", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return fmt.Errorf("cluster: leader: %w", err)
	}
	l.catchUp = info.State.LastSeq
	stop, err := l.conn.consume(ctx, 0, l.apply)
	if err != nil {
		return err
	}
	defer stop()
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			l.tick(ctx)
			if time.Since(l.swept) >= l.conn.settings.LeaseTTL {
				l.swept = time.Now()
				l.sweep(ctx)
			}
		}
	}
}

// Applied is the last stream sequence this node's router applied.
func (l *Leader) Applied() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.router.Applied()
}

func (l *Leader) apply(seq uint64, cmd routing.Command, ok bool) {
	l.mu.Lock()
	if !ok {
		l.router.Skip(seq)
		l.mu.Unlock()
		return
	}
	ds, err := l.router.Apply(seq, cmd)
	if err != nil {
		l.conn.log.Info("cluster: command refused by the ACD", "seq", seq, "err", err)
	}
	_, leading := l.el.Leading()
	var again []routing.Decision
	if leading {
		again = l.takeoverLocked() // before remembering: this command's go out below
	}
	l.remember(seq, cmd, ds)
	catchUp := l.catchUp
	changed := l.router.Changed()
	l.mu.Unlock()
	l.resend(again)
	if leading && seq > catchUp {
		l.send(seq, ds)
		l.writePresence(changed)
	}
}

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
	if l.agents == nil {
		a, err := l.conn.Agents(ctx)
		if err != nil {
			return
		}
		l.agents = a
	}
	for _, info := range changed {
		p := Presence{Agent: info.ID, State: "available"}
		switch info.State {
		case acd.LoggedOut:
			p.State = "logged_out"
		case acd.Paused:
			p.State, p.Reason = "paused", info.Reason
		}
		if last, seen := l.presence[p.Agent]; seen && last.State == p.State && last.Reason == p.Reason {
			continue
		}
		p.Updated = info.Since.UTC()
		if err := l.agents.Put(ctx, p, term); err != nil {
			l.conn.log.Warn("cluster: presence not written", "agent", p.Agent, "err", err)
			continue
		}
		l.presence[p.Agent] = p
	}
}

func (l *Leader) send(seq uint64, ds []routing.Decision) {
	if len(ds) > 0 {
		if err := l.el.Decide(ds...); err != nil {
			l.conn.log.Warn("cluster: decisions not sent", "seq", seq, "err", err)
			return
		}
	}
	l.el.SetDecided(seq)
}

func (l *Leader) remember(seq uint64, cmd routing.Command, ds []routing.Decision) {
	if len(ds) == 0 {
		return
	}
	if len(l.recent) == rememberCommands {
		copy(l.recent, l.recent[1:])
		l.recent = l.recent[:rememberCommands-1]
	}
	l.recent = append(l.recent, recentDecisions{seq: seq, at: time.UnixMilli(cmd.At), ds: ds})
}

// takeoverLocked runs once per term: the decisions of the commands after
// the last one the previous leader said it had decided may have died with
// it, so they are returned to be sent again (nodes recognise a repeat by
// its Seq). Only those of the last four lease TTLs: older ones were
// carried out or overtaken long ago.
func (l *Leader) takeoverLocked() []routing.Decision {
	term, ok := l.el.Leading()
	if !ok || term == l.resentAt {
		return nil
	}
	l.resentAt = term
	// Without a figure from the previous leader (it died before its
	// first renewal), everything recent is sent again.
	from := l.el.ObservedDecided()
	horizon := time.Now().Add(-4 * l.conn.settings.LeaseTTL)
	var again []routing.Decision
	for _, r := range l.recent {
		if r.seq > from && r.seq > l.catchUp && r.at.After(horizon) {
			again = append(again, r.ds...)
		}
	}
	if len(again) > 0 {
		l.conn.log.Info("cluster: re-sending the decisions a dead leader may not have sent", "after", from, "decisions", len(again))
	}
	return again
}

func (l *Leader) resend(again []routing.Decision) {
	if len(again) == 0 {
		return
	}
	if err := l.el.Decide(again...); err != nil {
		l.conn.log.Warn("cluster: re-send failed", "err", err)
	}
}

// tick sends a tick command when the ACD has a timer due and this node
// leads; the ACD runs it when the tick comes back from the stream, on
// every node alike.
func (l *Leader) tick(ctx context.Context) {
	if _, ok := l.el.Leading(); !ok {
		return
	}
	l.mu.Lock()
	again := l.takeoverLocked()
	due, ok := l.router.NextDeadline()
	now := time.Now()
	send := ok && !now.Before(due) && now.Sub(l.tickSent) >= tickEvery && l.router.Applied() >= l.catchUp
	if send {
		l.tickSent = now
	}
	l.mu.Unlock()
	l.resend(again)
	if !send {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := l.conn.SendCommand(sctx, routing.Command{Kind: routing.CmdTick, At: now.UnixMilli()}); err != nil {
		l.conn.log.Warn("cluster: tick not sent", "err", err)
	}
}

// sweep notices nodes that were seen heartbeating and are gone: the
// leader sends node_gone for each (their calls end on every router) and
// drops their agents' registrations, whose phones must register again
// through a live node. A node never seen live is left alone.
func (l *Leader) sweep(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, l.conn.settings.LeaseTTL)
	defer cancel()
	kv, err := l.conn.JS.KeyValue(sctx, l.conn.Names.Nodes())
	if err != nil {
		return
	}
	entries, err := snapshot(sctx, kv, jetstream.AllKeys)
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
