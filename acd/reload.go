package acd

import (
	"slices"

	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/roster"
	"github.com/hotline-oss/hotline/acd/strategy"
)

// ReasonQueueRemoved is the Leave reason for callers of a queue removed by
// a reload once none of its agents is left to serve them.
const ReasonQueueRemoved = "queue_removed"

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
// ReasonQueueRemoved). The queue is forgotten once empty.
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
	a.reloadQueues(cfg.Queues)
	a.reloadAgents(cfg.Agents)
	a.rebuildMembership()
	a.rearmWaiting()
	a.retiring = true
	for _, q := range a.queues {
		a.markDirty(q)
	}
	a.route()
	return a.finish(), nil
}

// reloadQueues puts the queues in the new configuration's order, existing
// ones updated in place, and marks the rest draining behind them.
func (a *ACD) reloadQueues(cfgs []QueueConfig) {
	byName := make(map[string]*queue, len(a.queues))
	for _, q := range a.queues {
		byName[q.Cfg.Name] = q
	}
	queues := make([]*queue, 0, len(cfgs))
	for _, qc := range cfgs {
		q := byName[qc.Name]
		if q == nil {
			q = &queue{}
		}
		delete(byName, qc.Name)
		q.Cfg, q.Draining = qc.WithDefaults(), false
		a.queueByName[qc.Name] = q
		queues = append(queues, q)
	}
	for _, q := range a.queues {
		if byName[q.Cfg.Name] == q {
			q.Draining = true
			delete(a.queueByName, q.Cfg.Name)
			queues = append(queues, q)
		}
	}
	a.queues = queues
}

// reloadAgents puts the agents in the new configuration's order and
// retires the ones left out.
func (a *ACD) reloadAgents(cfgs []AgentConfig) {
	byID := make(map[string]*agent, len(a.agents))
	for _, ag := range a.agents {
		byID[ag.Cfg.ID] = ag
	}
	agents := make([]*agent, 0, len(cfgs))
	for _, ac := range cfgs {
		ag := byID[ac.ID]
		if ag == nil {
			ag = roster.NewAgent(ac, a.now)
		}
		delete(byID, ac.ID)
		if ag.Removed && ag.Pending == roster.PendingLogout {
			ag.Pending = roster.PendingNone // revived before its call ended: the logout was ours
		}
		ag.Cfg, ag.Removed = ac, false
		a.agentByID[ac.ID] = ag
		agents = append(agents, ag)
	}
	for _, ag := range a.agents {
		if byID[ag.Cfg.ID] == ag {
			agents = append(agents, ag)
			if !ag.Removed {
				ag.Removed = true
				delete(a.agentByID, ag.Cfg.ID)
				a.retire(ag)
			}
		}
	}
	a.agents = agents
}

// retire logs a removed agent out as AgentLogout would, before the
// memberships change, so that queue counts and emptied queues follow the
// usual path. On a call the logout waits for the wrap-up.
func (a *ACD) retire(ag *agent) {
	a.disarm(&ag.BackoffTimer)
	ag.BackoffUntil = a.now
	if ag.State == LoggedOut {
		return
	}
	if err := a.logout(ag); err != nil {
		panic(err) // as mustTransition: every state but LoggedOut may log out
	}
}

// rebuildMembership recomputes every queue's members and every strategy
// from the agents' queues and skills. Candidates live in the agents'
// member slices, which strategies point into, so each slice is built in
// full before any strategy sees it.
func (a *ACD) rebuildMembership() {
	drainers := make(map[*queue][]*agent)
	for _, ag := range a.agents {
		ag.Unroute()
		for _, m := range ag.Member {
			if m.Q.Draining && !ag.Removed {
				drainers[m.Q] = append(drainers[m.Q], ag)
			}
		}
		ag.Member = nil
	}
	for _, q := range a.queues {
		q.Members, q.Count = nil, [agentstate.NumStates]int{}
	}
	for _, ag := range a.agents {
		if ag.Removed {
			continue
		}
		for _, name := range ag.Cfg.Queues {
			roster.Join(ag, a.queueByName[name])
		}
	}
	for _, q := range a.queues {
		for _, ag := range drainers[q] {
			roster.Join(ag, q)
		}
	}
	for _, ag := range a.agents {
		ag.OwnMembers()
	}
	for _, q := range a.queues {
		a.renewStrategy(q)
	}
	for _, ag := range a.agents {
		a.refreshRoutable(ag)
	}
}

// renewStrategy gives q a fresh strategy for its members; a round-robin
// queue keeps its cursor so that the rotation goes on where it was.
func (a *ACD) renewStrategy(q *queue) {
	s, err := strategy.New(q.Cfg.Strategy, len(q.Members), a.rng)
	if err != nil {
		// Validate accepted the name, so only a missing random source
		// could get here, and New always sets one.
		panic(err)
	}
	strategy.Carry(q.Strategy, s, len(q.Members))
	q.Strategy = s
}

// rearmWaiting applies the queues' MaxWait and AnnounceEvery to callers
// already waiting: the deadline counts from when they joined.
func (a *ACD) rearmWaiting() {
	for _, q := range a.queues {
		q.Waiting.Each(func(c *queuedCall) {
			if q.Cfg.MaxWait > 0 {
				at := c.Joined.Add(q.Cfg.MaxWait)
				if at.Before(a.now) {
					at = a.now // already past: the next Tick overflows it
				}
				a.arm(&c.MaxWaitTimer, at)
			} else {
				a.disarm(&c.MaxWaitTimer)
				c.Overdue = false
			}
			switch {
			case q.Cfg.AnnounceEvery <= 0:
				a.disarm(&c.AnnounceTimer)
			case !c.AnnounceTimer.Armed():
				a.arm(&c.AnnounceTimer, a.now.Add(q.Cfg.AnnounceEvery))
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
	for _, q := range slices.Clone(a.queues) {
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
		a.dropQueue(q)
		changed = true
	}
	for _, ag := range slices.Clone(a.agents) {
		if !ag.Removed {
			continue
		}
		if ag.State != LoggedOut || ag.Call != nil {
			retiring = true
			continue
		}
		a.dropAgent(ag)
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
	if kind, name, ok := SplitTarget(target); !ok || (kind == TargetQueue && a.queueByName[name] == nil) {
		target = ""
	}
	var leaving []*queuedCall
	q.Waiting.Each(func(c *queuedCall) { leaving = append(leaving, c) })
	for _, c := range leaving {
		if len(c.Legs) > 0 {
			continue // an agent still rings for it; wait for the outcome
		}
		a.removeWaiting(c, target, ReasonQueueRemoved)
		if target != "" {
			a.do(Overflow{CallID: c.ID, Target: target})
		} else {
			a.do(Leave{CallID: c.ID, Reason: ReasonQueueRemoved})
		}
	}
}

// dropQueue forgets an empty draining queue and its memberships.
func (a *ACD) dropQueue(q *queue) {
	a.queues = slices.DeleteFunc(a.queues, func(x *queue) bool { return x == q })
	for _, ag := range q.Members {
		// Removing an element moves the candidates the strategies point
		// at: withdraw the agent first, and route it again after.
		ag.Unroute()
		ag.Member = slices.DeleteFunc(ag.Member, func(m roster.Membership) bool { return m.Q == q })
		a.refreshRoutable(ag)
	}
	q.Members = nil
}

// dropAgent forgets a removed agent that has logged out. It belongs to no
// queue: rebuildMembership left it out.
func (a *ACD) dropAgent(ag *agent) {
	a.agents = slices.DeleteFunc(a.agents, func(x *agent) bool { return x == ag })
	if a.lastCallOf[ag.Wrap.CallID] == ag {
		delete(a.lastCallOf, ag.Wrap.CallID)
	}
}
