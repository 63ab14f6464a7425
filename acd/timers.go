package acd

import (
	"time"

	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/roster"
)

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

func (a *ACD) fire(t roster.TimerOf) {
	switch t.Kind {
	case roster.TimerRing:
		a.ringTimedOut(t.Call)
	case roster.TimerMaxWait:
		a.maxWaitReached(t.Call)
	case roster.TimerAnnounce:
		a.announce(t.Call)
	case roster.TimerWrapup:
		a.leaveWrapup(t.Agent, agentstate.EventWrapupDone, "")
	case roster.TimerBackoff:
		a.refreshRoutable(t.Agent)
	case roster.TimerSticky:
		a.stickyExpired(t.Call)
	case roster.TimerCallback:
		a.callbackTimer(t.Call)
	}
}
