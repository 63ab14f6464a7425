package cluster

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// rememberCommands is how many recent commands' decisions a node keeps, to
// re-send those a dead leader may not have sent.
const rememberCommands = 4096

// tickEvery is how often the leader checks the ACD's timers: ring
// timeouts and announcements fire at most this late.
const tickEvery = 50 * time.Millisecond

// Leader runs the routing of one node. While the node holds the lease it
// applies the command stream to its Router, sends the decisions and the
// tick commands for the ACD's timers. On taking over it first replays
// the commands it has not applied yet (silently), then re-sends what the
// old leader may not have sent, then decides live. With a hot standby
// (SetHotStandby) the node follows the stream even while it does not
// lead, so a takeover has nothing to replay, at the cost of one more NATS
// message per command and node.
type Leader struct {
	conn *Conn
	el   *Elector
	hot  bool

	mu     sync.Mutex
	router *routing.Router
	// silentUpTo: commands up to it are applied without deciding (the
	// stream's end when this node started, or when it took over).
	silentUpTo uint64
	following  bool // the stream is being read (always, with a hot standby)
	recent     []recentDecisions
	resentAt   uint64    // the term whose takeover re-send is done
	tickSent   time.Time // last tick command sent, so one is in flight at a time

	// Presence last written, by agent (under mu); agents is opened on the
	// stream's goroutine.
	presence map[string]Presence
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
	r.SetConfigs(conn.ConfigLookup()) // reloads' configurations (leader_reload.go)
	return &Leader{conn: conn, el: el, router: r, seenLive: map[string]bool{}, goneSent: map[string]bool{},
		presence: map[string]Presence{}}, nil
}

// SetHotStandby makes the node follow the stream while it does not lead;
// call it before Run.
func (l *Leader) SetHotStandby(on bool) { l.hot = on }

// Run routes while this node leads (and follows the stream all along with
// a hot standby) until ctx ends.
func (l *Leader) Run(ctx context.Context) error {
	var stop func()
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	if l.hot {
		var err error
		if stop, err = l.follow(ctx); err != nil {
			return err
		}
	}
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		_, leading := l.el.Leading()
		if !l.hot && leading && stop == nil {
			var err error
			if stop, err = l.follow(ctx); err != nil {
				l.conn.log.Warn("cluster: cannot read the command stream", "err", err)
			}
		}
		if !l.hot && !leading && stop != nil {
			stop()
			stop = nil
			l.mu.Lock()
			l.following = false
			l.mu.Unlock()
		}
		l.tick(ctx)
		if time.Since(l.swept) >= l.conn.settings.LeaseTTL {
			l.swept = time.Now()
			l.sweep(ctx)
		}
	}
}

// follow reads the stream from the first command not applied yet; those
// up to the stream's end now are applied without deciding.
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
	l.silentUpTo = max(l.silentUpTo, info.State.LastSeq)
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
	if l.beforeApply != nil && !l.replaying && !redelivered {
		l.beforeApply(cmd, l.router)
	}
	ds, err := l.router.Apply(seq, cmd)
	if err != nil {
		l.conn.log.Info("cluster: command refused by the ACD", "seq", seq, "err", err)
	}
	if l.onApplied != nil && !l.replaying && !redelivered {
		l.onApplied(seq, cmd, err)
	}
	_, leading := l.el.Leading()
	var again []routing.Decision
	var took bool
	if leading && seq > l.silentUpTo {
		again, took = l.takeoverLocked() // before remembering: this command's go out below
	}
	l.remember(seq, cmd, ds)
	if leading && seq == l.silentUpTo {
		again, took = l.takeoverLocked() // caught up: this command's are among them
	}
	silentUpTo := l.silentUpTo
	changed := l.router.Changed()
	l.mu.Unlock()
	l.afterTakeover(took, again)
	if leading && seq > silentUpTo {
		l.send(seq, ds)
		l.writePresence(changed)
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
func (l *Leader) takeoverLocked() ([]routing.Decision, bool) {
	term, ok := l.el.Leading()
	if !ok || term == l.resentAt {
		return nil, false
	}
	l.resentAt = term
	clear(l.presence) // another leader may have written since: reconciled after
	// Without a figure from the previous leader (it died before its
	// first renewal), everything recent is sent again.
	from := l.el.ObservedDecided()
	horizon := time.Now().Add(-4 * l.conn.settings.LeaseTTL)
	var again []routing.Decision
	for _, r := range l.recent {
		if r.seq > from && r.at.After(horizon) {
			again = append(again, r.ds...)
		}
	}
	if len(again) > 0 {
		l.conn.log.Info("cluster: re-sending the decisions a dead leader may not have sent", "after", from, "decisions", len(again))
	}
	return again, true
}

// afterTakeover sends the decisions a dead leader may not have sent and
// brings the shared presence in line with the ACD.
func (l *Leader) afterTakeover(took bool, again []routing.Decision) {
	if !took {
		return
	}
	if len(again) > 0 {
		if err := l.el.Decide(again...); err != nil {
			l.conn.log.Warn("cluster: re-send failed", "err", err)
		}
	}
	l.reconcilePresence()
}

// tick sends a tick command when the ACD has a timer due and this node
// leads; the ACD runs it when the tick comes back from the stream, on
// every node alike.
func (l *Leader) tick(ctx context.Context) {
	if _, ok := l.el.Leading(); !ok {
		return
	}
	l.mu.Lock()
	// A takeover is handled once the missed commands are applied: never
	// on a state that is not yet current.
	caughtUp := l.following && l.router.Applied() >= l.silentUpTo
	var again []routing.Decision
	var took bool
	if caughtUp {
		again, took = l.takeoverLocked()
	}
	due, ok := l.router.NextDeadline()
	now := time.Now()
	send := ok && !now.Before(due) && now.Sub(l.tickSent) >= tickEvery && caughtUp
	if send {
		l.tickSent = now
	}
	l.mu.Unlock()
	l.afterTakeover(took, again)
	if !send {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := l.conn.SendCommand(sctx, routing.Command{Kind: routing.CmdTick, At: now.UnixMilli()}); err != nil {
		l.conn.log.Warn("cluster: tick not sent", "err", err)
	}
}
