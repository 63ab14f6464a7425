package election

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Leadership is what a node knows about the lease after a change.
type Leadership struct {
	Leading bool
	Term    uint64 // this node's term while Leading
	Reason  string // why it changed, for logs
}

// leaseValue is the lease key's content. Term 0 means "the revision of
// this write": a lease is created before its revision is known, and each
// renewal then carries the term explicitly.
type leaseValue struct {
	Node string `json:"node"`
	// Instance tells this process from another with the same node id
	// (a misconfiguration, or the same node restarted).
	Instance string `json:"instance"`
	Term     uint64 `json:"term"`
}

// Elector takes and holds the leader lease for one node (see doc.go for
// why a cut-off leader always stops before another can start).
type Elector struct {
	link     Link
	kv       jetstream.KeyValue
	fence    *Fence
	log      *slog.Logger
	now      func() time.Time // must carry a monotonic reading
	instance string

	ttl, renewEvery, margin, retry time.Duration
	onChange                       func(Leadership)

	mu       sync.Mutex
	term     uint64    // current term while leading
	rev      uint64    // revision of our last confirmed lease write
	deadline time.Time // leading while now() is before it; zero: not leading
	// unconfirmed is the send time of the first renewal since the last
	// confirmed one whose answer was lost: if one of them landed, it was
	// written no earlier than this.
	unconfirmed time.Time
	stepper     *time.Timer
	kick        chan struct{}

	notifyMu sync.Mutex
	notified Leadership
}

// ElectorOption configures New.
type ElectorOption func(*Elector) error

// WithOnChange sets a function called on every change of leadership, in
// order; it must be brief and must not call back into the Elector.
func WithOnChange(f func(Leadership)) ElectorOption {
	return func(e *Elector) error { e.onChange = f; return nil }
}

// New prepares the election on link (a *cluster.Conn whose buckets
// exist: Ensure must have run).
func New(ctx context.Context, link Link, opts ...ElectorOption) (*Elector, error) {
	kv, err := link.LeaseBucket(ctx)
	if err != nil {
		return nil, fmt.Errorf("cluster: lease bucket: %w", err)
	}
	ttl := link.LeaseTTL()
	e := &Elector{
		link: link, kv: kv, log: link.Log(), now: time.Now, instance: nuid.Next(),
		ttl:        ttl,
		renewEvery: ttl / 3,
		// The margin covers the clocks' rates and the time from our
		// deadline check to the end of an action; not a clock step.
		margin: max(ttl/10, 100*time.Millisecond),
		retry:  max(ttl/6, 50*time.Millisecond),
		kick:   make(chan struct{}, 1),
	}
	for _, o := range opts {
		if err := o(e); err != nil {
			return nil, fmt.Errorf("cluster: elector: %w", err)
		}
	}
	if e.fence == nil {
		e.fence = NewFence(link.CountTerm)
	}
	link.WatchLink(func() { e.stepDown(0, "lost NATS") }, e.poke)
	return e, nil
}

// Fence is the fence this elector raises with every term it sees.
func (e *Elector) Fence() *Fence { return e.fence }

// Leading reports whether this node may act as leader now, and its term
// (the fencing token every decision must carry). Check it right before
// each action: it turns false at the local deadline whatever the network.
func (e *Elector) Leading() (uint64, bool) {
	if !e.link.Up() {
		return 0, false // the step-down callback may not have run yet
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.deadline.IsZero() || !e.now().Before(e.deadline) {
		return 0, false
	}
	return e.term, true
}

// Run takes part in the election until ctx ends, then gives the lease up
// (if held) so that another node takes over at once.
func (e *Elector) Run(ctx context.Context) error {
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go e.watch(wctx)
	for ctx.Err() == nil {
		if _, ok := e.Leading(); ok {
			e.wait(ctx, e.untilRenew())
			if ctx.Err() == nil {
				e.renew(ctx)
			}
			continue
		}
		e.acquire(ctx)
		if _, ok := e.Leading(); !ok {
			e.wait(ctx, e.retry)
		}
	}
	e.resign()
	return nil
}

func (e *Elector) wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-e.kick:
	}
}

func (e *Elector) poke() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// untilRenew is the time left before the next renewal is due.
func (e *Elector) untilRenew() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	sent := e.deadline.Add(-(e.ttl - e.margin))
	return sent.Add(e.renewEvery).Sub(e.now())
}

// opCtx bounds one lease request: never past the current deadline while
// leading, never past a renewal period otherwise.
func (e *Elector) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, e.renewEvery)
}

func (e *Elector) acquire(ctx context.Context) {
	octx, cancel := e.opCtx(ctx)
	defer cancel()
	val, _ := json.Marshal(leaseValue{Node: e.link.NodeID(), Instance: e.instance})
	sent := e.now()
	rev, err := e.kv.Create(octx, leaseKey, val)
	if errors.Is(err, jetstream.ErrKeyExists) {
		rev, err = e.reclaim(octx, val)
	}
	if err != nil || rev == 0 {
		return
	}
	e.begin(rev, sent)
}

// reclaim takes back a lease this process still holds from before a lost
// connection (it stopped acting when the link dropped): the revision
// check proves nobody wrote it since, so a new term can start at once
// instead of after the TTL. Another process's lease, even under the same
// node id, is never reclaimed: it may still be acting.
func (e *Elector) reclaim(ctx context.Context, val []byte) (uint64, error) {
	entry, err := e.kv.Get(ctx, leaseKey)
	if err != nil {
		return 0, err
	}
	cur, ok := e.parse(entry)
	if !ok || cur.Node != e.link.NodeID() || cur.Instance != e.instance {
		return 0, nil
	}
	return e.kv.Update(ctx, leaseKey, val, entry.Revision())
}

func (e *Elector) begin(rev uint64, sent time.Time) {
	e.mu.Lock()
	e.term, e.rev = rev, rev
	e.unconfirmed = time.Time{}
	e.extendLocked(sent)
	e.mu.Unlock()
	e.fence.Observe(rev)
	e.link.CountLeadership(true, rev)
	e.log.Info("cluster: leading", "term", rev)
	e.notify("lease taken")
}

// extendLocked moves the deadline to sent+TTL-margin and arms the timer
// that steps down there if no renewal comes first.
func (e *Elector) extendLocked(sent time.Time) {
	e.deadline = sent.Add(e.ttl - e.margin)
	term := e.term
	if e.stepper != nil {
		e.stepper.Stop()
	}
	e.stepper = time.AfterFunc(e.deadline.Sub(e.now()), func() { e.stepDown(term, "lease not renewed in time") })
}

func (e *Elector) renew(ctx context.Context) {
	e.mu.Lock()
	term, rev := e.term, e.rev
	e.mu.Unlock()
	octx, cancel := e.opCtx(ctx)
	defer cancel()
	val, _ := json.Marshal(leaseValue{Node: e.link.NodeID(), Instance: e.instance, Term: term})
	sent := e.now()
	newRev, err := e.kv.Update(octx, leaseKey, val, rev)
	if err == nil {
		e.confirm(term, newRev, sent) // no earlier attempt landed, or this one would have failed
		return
	}
	e.mu.Lock()
	if e.unconfirmed.IsZero() {
		e.unconfirmed = sent
	}
	since := e.unconfirmed
	e.mu.Unlock()
	// One of the attempts since the last confirmed write may have landed
	// with its answer lost: the lease is then still ours, written no
	// earlier than the first of them was sent.
	entry, gerr := e.kv.Get(octx, leaseKey)
	if gerr == nil {
		cur, ok := e.parse(entry)
		switch {
		case ok && cur.Instance == e.instance && cur.Term == term && entry.Revision() > rev:
			e.confirm(term, entry.Revision(), since)
			return
		case ok && cur.Instance == e.instance && entry.Revision() == rev:
			// Our last confirmed write is still the latest: nothing
			// landed; try again until the deadline.
		default:
			e.stepDown(term, "lease taken by another node")
			return
		}
	} else if errors.Is(gerr, jetstream.ErrKeyNotFound) {
		e.stepDown(term, "lease expired")
		return
	}
	e.log.Warn("cluster: lease renewal failed; leading until the deadline", "term", term, "err", err)
	e.wait(ctx, e.retry)
}

func (e *Elector) confirm(term, rev uint64, sent time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.term != term || e.deadline.IsZero() {
		return // stepped down meanwhile: a late answer does not revive it
	}
	e.rev = rev
	e.unconfirmed = time.Time{}
	e.extendLocked(sent)
}

// stepDown ends term (0: whatever term is current) at once.
func (e *Elector) stepDown(term uint64, reason string) {
	e.mu.Lock()
	if e.deadline.IsZero() || (term != 0 && term != e.term) {
		e.mu.Unlock()
		return
	}
	was := e.term
	e.deadline = time.Time{}
	if e.stepper != nil {
		e.stepper.Stop()
	}
	e.mu.Unlock()
	e.link.CountLeadership(false, 0)
	e.log.Warn("cluster: no longer leading", "term", was, "reason", reason)
	e.notify(reason)
	e.poke()
}

// resign gives the lease up on shutdown: stop acting first, then delete
// the key if it is still our write, so a follower takes over at once.
func (e *Elector) resign() {
	e.mu.Lock()
	leading := !e.deadline.IsZero()
	rev := e.rev
	e.mu.Unlock()
	if !leading {
		return
	}
	e.stepDown(0, "shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), e.renewEvery)
	defer cancel()
	if err := e.kv.Delete(ctx, leaseKey, jetstream.LastRevision(rev)); err != nil {
		e.log.Info("cluster: lease left to expire", "err", err)
	}
}
