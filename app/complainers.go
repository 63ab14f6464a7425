package app

import (
	"sync"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/sip"
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
func (cr *careRuntime) routeComplainer(c *sip.Call, queue string, priority int) (string, int) {
	r := cr.repeatSetting()
	if cr == nil || r == nil || queue == r.Queue || c.Caller == "" || cr.s.store == nil {
		return queue, priority
	}
	now := cr.s.clock.Now()
	n, ok := cr.complaints.get(c.Caller, now)
	if !ok {
		from, to := store.MonthOf(now, cr.loc)
		ctx, cancel := cr.lookupCtx()
		var err error
		n, err = cr.s.store.ComplaintCount(ctx, c.Caller, r.CategoryOrDefault(), from, to)
		cancel()
		if err != nil {
			c.Logger().Warn("complaint count failed: routing normally", "queue", queue, "err", err)
			return queue, priority
		}
		cr.complaints.put(c.Caller, n, now)
	}
	if n < r.Threshold {
		return queue, priority
	}
	cr.metrics.RepeatComplainer(queue)
	c.Logger().Info("repeat complainer: senior queue", "asked", queue, "queue", r.Queue, "complaints", n)
	return r.Queue, priority + r.Priority
}

// complaintCache keeps callers' complaint counts briefly, so a caller who
// rings again and again does not cost a query each time. Any new
// disposition empties it (they are few), so a fresh complaint counts at the
// caller's next call.
type complaintCache struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	entries map[string]complaintEntry
}

type complaintEntry struct {
	n  int
	at time.Time
}

func newComplaintCache(ttl time.Duration, max int) *complaintCache {
	return &complaintCache{ttl: ttl, max: max, entries: make(map[string]complaintEntry)}
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

// HandleEvent empties the cache on a disposition.
func (cc *complaintCache) HandleEvent(e call.Event) {
	if e.Kind != call.DispositionSet {
		return
	}
	cc.mu.Lock()
	clear(cc.entries)
	cc.mu.Unlock()
}
