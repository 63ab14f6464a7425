package acd

import (
	"container/heap"
	"time"
)

// timerKind says what a due timer means.
type timerKind uint8

const (
	timerRing     timerKind = iota + 1 // an offer rang for the queue's RingTimeout
	timerMaxWait                       // a caller waited the queue's MaxWait
	timerAnnounce                      // a caller is due a position announcement
	timerWrapup                        // an agent's wrap-up time ran out
	timerBackoff                       // an agent's busy backoff ended
	timerSticky                        // a caller's wait for their preferred agent ran out
	timerCallback                      // a callback's retry pause or give-up time ran out
)

// timer lives inside the call or agent it belongs to, so arming one does not
// allocate and cancelling one is a heap removal.
type timer struct {
	at    time.Time
	seq   uint64 // arming order, so timers due together fire in that order
	pos   int    // index in the heap + 1; 0 when not armed
	kind  timerKind
	call  *queuedCall
	agent *agent
}

func (t *timer) armed() bool { return t.pos > 0 }

// timerHeap orders armed timers by due time; container/heap drives it.
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }

func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}

func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos = i + 1
	h[j].pos = j + 1
}

func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.pos = len(*h) + 1
	*h = append(*h, t)
}

func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.pos = 0
	return t
}

// arm (re)schedules t for at.
func (a *ACD) arm(t *timer, at time.Time) {
	a.seq++
	t.at, t.seq = at, a.seq
	if t.armed() {
		heap.Fix(&a.timers, t.pos-1)
		return
	}
	heap.Push(&a.timers, t)
}

// disarm cancels t if it is armed.
func (a *ACD) disarm(t *timer) {
	if t.armed() {
		heap.Remove(&a.timers, t.pos-1)
	}
}

// NextDeadline is when Tick must next be called; ok is false when nothing is
// scheduled. The runtime keeps one timer armed for it and re-reads it after
// every command.
func (a *ACD) NextDeadline() (deadline time.Time, ok bool) {
	if len(a.timers) == 0 {
		return time.Time{}, false
	}
	return a.timers[0].at, true
}

// Tick handles every timer due by now — ring timeouts, wrap-up ends, busy
// backoff expiries, MaxWait overflows, announcements — in due order, then
// routes, and returns the resulting actions.
func (a *ACD) Tick() []Action {
	a.begin()
	for len(a.timers) > 0 && !a.timers[0].at.After(a.now) {
		a.fire(heap.Pop(&a.timers).(*timer))
	}
	a.route()
	return a.finish()
}

func (a *ACD) fire(t *timer) {
	switch t.kind {
	case timerRing:
		a.ringTimedOut(t.call)
	case timerMaxWait:
		a.maxWaitReached(t.call)
	case timerAnnounce:
		a.announce(t.call)
	case timerWrapup:
		a.leaveWrapup(t.agent, EventWrapupDone, "")
	case timerBackoff:
		a.refreshRoutable(t.agent)
	case timerSticky:
		a.stickyExpired(t.call)
	case timerCallback:
		a.callbackTimer(t.call)
	}
}
