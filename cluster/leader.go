package cluster

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// tickEvery is how often the leader checks the ACD's timers: ring
// timeouts and announcements fire at most this late.
const tickEvery = 50 * time.Millisecond

// Leader runs the routing of one node. Every node follows the command
// stream with its own Router and carries out the decisions its router
// addresses to it (CarryOut): the stream is the one order of the
// cluster, and every router applies it to the same configuration on the
// time each command carries, so all of them decide alike and no decision
// travels over NATS. A node cut off from NATS reads no command and so
// decides nothing. What needs one node at a time is done by the node
// holding the lease: the tick commands that fire the ACD's timers, the
// shared presence, and declaring dead nodes gone.
type Leader struct {
	conn *Conn
	el   Election

	mu     sync.Mutex
	router *routing.Router
	// The commands up to startSeq (the stream's end when this node first
	// read it) are applied without carrying anything out: their calls
	// were the node's of the time.
	following bool
	// tookTerm is the term whose takeover upkeep is done.
	tookTerm uint64
	tickSent time.Time // last tick command sent, so one is in flight at a time
	own      func([]routing.Decision)

	// Presence last written, by agent (under mu).
	presence map[string]Presence
	agentsMu sync.Mutex // guards agents: opened by whichever goroutine writes first
	agents   *Agents

	// What the node's own side sees of the stream (observe.go).
	onApplied   AppliedFunc
	beforeApply BeforeFunc
	startSeq    uint64 // the stream's end when this node first read it
	started     bool
	replaying   bool // the command being applied was in the stream at start

	// Dead nodes (sweep, on the Run goroutine only).
	swept    time.Time
	seenLive map[string]bool // nodes seen heartbeating
	goneSent map[string]bool // nodes whose node_gone was sent
	lost     lostHandOver    // their calls, handed over (lost.go)

	otherAgents EventFunc // agents' states of other nodes (observe_agents.go)
}

// Election is what the Leader needs of the leader election
// (cluster/election's Elector): whether this node may act as leader now,
// and the term (the fencing token) it acts under. The Leader asks right
// before each action that needs one node at a time.
type Election interface {
	Leading() (term uint64, ok bool)
}

// NewLeader prepares the routing of one node over cfg; Run starts it.
func NewLeader(conn *Conn, el Election, cfg acd.Config, opts ...acd.Option) (*Leader, error) {
	r, err := routing.NewRouter(cfg, opts...)
	if err != nil {
		return nil, err
	}
	r.SetConfigs(conn.ConfigLookup()) // reloads' configurations (leader_reload.go)
	return &Leader{conn: conn, el: el, router: r, seenLive: map[string]bool{}, goneSent: map[string]bool{},
		presence: map[string]Presence{}}, nil
}

// CarryOut sets what carries out the decisions this node's router
// addresses to this node, in the stream's order, on the goroutine that
// reads the stream and outside the Leader's lock (f may read the router
// through View). Decisions of commands applied silently are not given.
// Call it before Run.
func (l *Leader) CarryOut(f func([]routing.Decision)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.own = f
}

// Run follows the command stream, and does the leader's upkeep while
// this node holds the lease, until ctx ends.
func (l *Leader) Run(ctx context.Context) error {
	stop, err := l.follow(ctx)
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
		}
		l.tick(ctx)
		if time.Since(l.swept) >= l.conn.settings.LeaseTTL {
			l.swept = time.Now()
			l.sweep(ctx)
		}
	}
}

// follow reads the stream from the first command not applied yet.
func (l *Leader) follow(ctx context.Context) (func(), error) {
	st, err := l.conn.JS.Stream(ctx, l.conn.Names.CommandStream())
	if err != nil {
		return nil, fmt.Errorf("cluster: leader: %w", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("cluster: leader: %w", err)
	}
	l.mu.Lock()
	if !l.started {
		l.started, l.startSeq = true, info.State.LastSeq
	}
	from := l.router.Applied() + 1
	l.following = true
	l.mu.Unlock()
	stop, err := l.conn.consume(ctx, from, l.apply)
	if err != nil {
		l.mu.Lock()
		l.following = false
		l.mu.Unlock()
	}
	return stop, err
}

// Applied is the last stream sequence this node's router applied.
func (l *Leader) Applied() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.router.Applied()
}

func (l *Leader) apply(seq uint64, cmd routing.Command, ok bool) {
	l.prepareReload(seq, cmd, ok) // before the lock: it may wait on NATS
	l.mu.Lock()
	if !ok {
		l.router.Skip(seq)
		l.mu.Unlock()
		return
	}
	l.replaying = seq <= l.startSeq
	redelivered := seq <= l.router.Applied() // after a reconnection
	live := !l.replaying && !redelivered
	if l.beforeApply != nil && live {
		l.beforeApply(cmd, l.router)
	}
	ds, err := l.router.Apply(seq, cmd)
	if err != nil {
		l.conn.log.Info("cluster: command refused by the ACD", "seq", seq, "err", err)
	}
	if l.onApplied != nil && live {
		l.onApplied(seq, cmd, err)
	}
	_, leading := l.el.Leading()
	leading = leading && live // replayed commands' presence is reconciled at the takeover
	took := leading && l.takeoverLocked()
	changed := l.router.Changed()
	own := l.own
	l.mu.Unlock()
	if took {
		l.reconcilePresence()
	}
	if leading {
		l.writePresence(changed)
	}
	if own != nil && live {
		if mine := l.mine(ds); len(mine) > 0 {
			own(mine)
		}
	}
}

// mine keeps the decisions addressed to this node.
func (l *Leader) mine(ds []routing.Decision) []routing.Decision {
	var out []routing.Decision
	for _, d := range ds {
		if d.Node == l.conn.Node {
			out = append(out, d)
		}
	}
	return out
}

// takeoverLocked reports, once per term, that this node has just started
// leading: the shared presence another leader may have written since is
// then brought in line with this node's ACD.
func (l *Leader) takeoverLocked() bool {
	term, ok := l.el.Leading()
	if !ok || term == l.tookTerm {
		return false
	}
	l.tookTerm = term
	clear(l.presence)
	return true
}

// tick sends a tick command when the ACD has a timer due and this node
// leads; the ACD runs it when the tick comes back from the stream, on
// every node alike.
func (l *Leader) tick(ctx context.Context) {
	if _, ok := l.el.Leading(); !ok {
		return
	}
	l.mu.Lock()
	// Upkeep starts once the commands in the stream at start are applied:
	// never on a state that is not yet current.
	caughtUp := l.following && l.router.Applied() >= l.startSeq
	took := caughtUp && l.takeoverLocked()
	due, ok := l.router.NextDeadline()
	now := time.Now()
	send := ok && !now.Before(due) && now.Sub(l.tickSent) >= tickEvery && caughtUp
	if send {
		l.tickSent = now
	}
	l.mu.Unlock()
	if took {
		l.reconcilePresence()
	}
	if !send {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := l.conn.SendCommand(sctx, routing.Command{Kind: routing.CmdTick, At: now.UnixMilli()}); err != nil {
		l.conn.log.Warn("cluster: tick not sent", "err", err)
	}
}
