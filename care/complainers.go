package care

import (
	"fmt"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
)

// routeComplainer sends a caller with at least repeat_complaints.threshold
// complaint dispositions this month (in the report time zone) to the
// senior queue, with their priority raised. A database that fails or is
// slow leaves the caller where they were going.
//
// The move shows in the call record and events as the call being queued
// in the senior queue with the higher priority (QueueRequested still names
// the queue the IVR asked for); hotline_repeat_complainers_total counts it.
func (svc *Service) routeComplainer(c CallInfo, queue string, priority int) (string, int) {
	r := svc.repeatSetting()
	if r == nil || queue == r.Queue || c.Caller == "" || svc.deps.Store == nil {
		return queue, priority
	}
	n, err := svc.complaintsOf(c.Caller, r.CategoryOrDefault())
	if err != nil {
		c.Log.Warn("complaint count failed: routing normally", "queue", queue, "err", err)
		return queue, priority
	}
	if n < r.Threshold {
		return queue, priority
	}
	svc.metrics.RepeatComplainer(queue)
	c.Log.Info("repeat complainer: senior queue", "asked", queue, "queue", r.Queue, "complaints", n)
	return r.Queue, priority + r.Priority
}

// complaintsOf is the caller's complaint count this month, from the cache
// or, on a miss, from the store with a bounded wait.
func (svc *Service) complaintsOf(caller, category string) (int, error) {
	now := svc.deps.Clock.Now()
	if n, ok := svc.complaints.get(caller, now); ok {
		return n, nil
	}
	from, to := store.MonthOf(now, svc.loc)
	ctx, cancel := svc.lookupCtx()
	defer cancel()
	n, err := svc.deps.Store.ComplaintCount(ctx, caller, category, from, to)
	if err != nil {
		return 0, fmt.Errorf("complaint count: %w", err)
	}
	svc.complaints.put(caller, n, now)
	return n, nil
}

// complaintCache keeps callers' complaint counts briefly, so a caller who
// rings again and again does not cost a query each time. A new disposition
// drops the count of that call's caller only, so a fresh complaint counts
// at the caller's next call and other callers keep theirs.
type complaintCache struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	entries map[string]complaintEntry
	callers map[string]string // call id → caller, learned from Queued events
}

type complaintEntry struct {
	n  int
	at time.Time
}

func newComplaintCache(ttl time.Duration, max int) *complaintCache {
	return &complaintCache{ttl: ttl, max: max, entries: make(map[string]complaintEntry), callers: make(map[string]string)}
}

func (cc *complaintCache) get(caller string, now time.Time) (int, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e, ok := cc.entries[caller]
	if !ok || now.Sub(e.at) >= cc.ttl || now.Before(e.at) {
		return 0, false
	}
	return e.n, true
}

func (cc *complaintCache) put(caller string, n int, now time.Time) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.entries) >= cc.max {
		// Bounded memory: start over rather than track ages.
		clear(cc.entries)
	}
	cc.entries[caller] = complaintEntry{n: n, at: now}
}

// HandleEvent learns which caller each queued call is, and on a
// disposition drops that caller's count. A disposition for a call it does
// not know (forgotten to bound memory) empties the whole cache, which is
// never wrong, only slower.
func (cc *complaintCache) HandleEvent(e call.Event) {
	switch e.Kind {
	case call.Queued:
		if e.Caller == "" {
			return
		}
		cc.mu.Lock()
		defer cc.mu.Unlock()
		if len(cc.callers) >= cc.max {
			clear(cc.callers)
		}
		cc.callers[e.CallID] = e.Caller
	case call.DispositionSet:
		cc.mu.Lock()
		defer cc.mu.Unlock()
		caller, ok := cc.callers[e.CallID]
		if !ok {
			clear(cc.entries)
			return
		}
		delete(cc.entries, caller)
	}
}
