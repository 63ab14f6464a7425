package acd

import (
	"slices"

	"github.com/hotline-oss/hotline/acd/action"
)

// Reload applies a new configuration to the running ACD, all or nothing:
// an invalid cfg changes nothing and returns the validation errors.
//
// Agents and queues are matched by id and name. Those kept keep their live
// state: agent state and its start, calls and talk time today, the rolling
// handle time, waiting callers and calls in progress. Settings apply from
// now on; waiting callers get their MaxWait deadline (from when they
// joined) and announcements re-armed to the new values.
//
// A removed queue drains: it takes no new callers (Enqueue reports
// ErrUnknownQueue) but its waiting callers stay and are still offered to
// its former members. When none of them is logged in any more, the callers
// left overflow to the queue's overflow target, or leave (Leave with
// action.ReasonQueueRemoved). The queue is forgotten once empty.
//
// A removed agent is logged out at once when idle, paused or in wrap-up,
// and its ringing offer is withdrawn. One on a call finishes it (the call
// keeps its wrap-up) and is logged out after; meanwhile it takes no new
// calls and no commands. A queue or agent added again while still draining
// is revived with its state.
func (a *ACD) Reload(cfg Config) ([]Action, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a.begin()
	a.roster.ReloadQueues(cfg.Queues)
	for _, ag := range a.roster.ReloadAgents(cfg.Agents, a.now) {
		a.retire(ag)
	}
	a.roster.Rebuild(a.now, a.rng, a.markDirty)
	a.rearmWaiting()
	a.retiring = true
	for _, q := range a.roster.Queues {
		a.markDirty(q)
	}
	a.route()
	return a.finish(), nil
}

// retire logs a removed agent out as AgentLogout would, before the
// memberships change, so that queue counts and emptied queues follow the
// usual path. On a call the logout waits for the wrap-up.
func (a *ACD) retire(ag *agent) {
	a.timers.Disarm(&ag.BackoffTimer)
	ag.BackoffUntil = a.now
	if ag.State == LoggedOut {
		return
	}
	if err := a.logout(ag); err != nil {
		panic(err) // as mustTransition: every state but LoggedOut may log out
	}
}

// rearmWaiting applies the queues' MaxWait and AnnounceEvery to callers
// already waiting: the deadline counts from when they joined.
func (a *ACD) rearmWaiting() {
	for _, q := range a.roster.Queues {
		q.Waiting.Each(func(c *queuedCall) {
			if q.Cfg.MaxWait > 0 {
				at := c.Joined.Add(q.Cfg.MaxWait)
				if at.Before(a.now) {
					at = a.now // already past: the next Tick overflows it
				}
				a.timers.Arm(&c.MaxWaitTimer, at)
			} else {
				a.timers.Disarm(&c.MaxWaitTimer)
				c.Overdue = false
			}
			switch {
			case q.Cfg.AnnounceEvery <= 0:
				a.timers.Disarm(&c.AnnounceTimer)
			case !c.AnnounceTimer.Armed():
				a.timers.Arm(&c.AnnounceTimer, a.now.Add(q.Cfg.AnnounceEvery))
			}
		})
	}
}

// prune forgets what a reload retired once it is done: draining queues
// that emptied (sending their callers on when nobody is left to serve
// them) and removed agents that are logged out. It runs at the end of
// every command while anything is retiring.
func (a *ACD) prune() {
	retiring := false
	changed := false
	for _, q := range slices.Clone(a.roster.Queues) {
		if !q.Draining {
			continue
		}
		if q.Waiting.Len() > 0 && q.LoggedIn() == 0 {
			a.sendAway(q)
		}
		if q.Waiting.Len() > 0 {
			retiring = true
			continue
		}
		a.roster.DropQueue(q, a.now, a.markDirty)
		changed = true
	}
	for _, ag := range slices.Clone(a.roster.Agents) {
		if !ag.Removed {
			continue
		}
		if ag.State != LoggedOut || ag.Call != nil {
			retiring = true
			continue
		}
		a.roster.DropAgent(ag)
	}
	a.retiring = retiring
	if changed {
		a.route()
	}
}

// sendAway moves the callers of a draining queue nobody serves any more
// to its overflow target, or out of the ACD.
func (a *ACD) sendAway(q *queue) {
	target := q.Cfg.OverflowTarget
	if kind, name, ok := SplitTarget(target); !ok || (kind == TargetQueue && a.roster.QueueByName[name] == nil) {
		target = ""
	}
	var leaving []*queuedCall
	q.Waiting.Each(func(c *queuedCall) { leaving = append(leaving, c) })
	for _, c := range leaving {
		if len(c.Legs) > 0 {
			continue // an agent still rings for it; wait for the outcome
		}
		a.removeWaiting(c, target, action.ReasonQueueRemoved)
		if target != "" {
			a.do(Overflow{CallID: c.ID, Target: target})
		} else {
			a.do(Leave{CallID: c.ID, Reason: action.ReasonQueueRemoved})
		}
	}
}
