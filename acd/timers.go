package acd

import (
	"time"

	"github.com/hotline-oss/hotline/acd/timerheap"
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

// timer lives inside the call or agent it belongs to (package timerheap
// keeps them in due order).
type timer = timerheap.Timer[timerOf]

// timerOf is what a timer is about.
type timerOf struct {
	kind  timerKind
	call  *queuedCall
	agent *agent
}

func callTimer(k timerKind, c *queuedCall) timer { return timer{P: timerOf{kind: k, call: c}} }

func agentTimer(k timerKind, ag *agent) timer { return timer{P: timerOf{kind: k, agent: ag}} }

// arm (re)schedules t for at.
func (a *ACD) arm(t *timer, at time.Time) { a.timers.Arm(t, at) }

// disarm cancels t if it is armed.
func (a *ACD) disarm(t *timer) { a.timers.Disarm(t) }

// NextDeadline is when Tick must next be called; ok is false when nothing is
// scheduled. The runtime keeps one timer armed for it and re-reads it after
// every command.
func (a *ACD) NextDeadline() (deadline time.Time, ok bool) { return a.timers.Next() }

// Tick handles every timer due by now — ring timeouts, wrap-up ends, busy
// backoff expiries, MaxWait overflows, announcements — in due order, then
// routes, and returns the resulting actions.
func (a *ACD) Tick() []Action {
	a.begin()
	for t := a.timers.PopDue(a.now); t != nil; t = a.timers.PopDue(a.now) {
		a.fire(t.P)
	}
	a.route()
	return a.finish()
}

func (a *ACD) fire(t timerOf) {
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
