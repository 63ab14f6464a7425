package acd

import (
	"slices"

	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/roster"
	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/call"
)

// route matches waiting calls to eligible agents in every queue that changed
// since the last pass. Each step offers the best head call among those queues
// (highest priority, then longest wait) to the agents its queue's strategy
// picks, so an agent serving several queues takes the call that matters
// most. Untouched queues need no look: after every pass each queue has
// either no ready call or no eligible agent, and only a change to that queue
// can upset it.
func (a *ACD) route() {
	a.routeSticky()
	for {
		var best *queue
		for _, q := range a.dirtyQueues {
			if q.Ready.Len() == 0 || q.Strategy.Len() == 0 {
				continue
			}
			if best == nil || roster.ServedBefore(q.Ready.First(), best.Ready.First()) {
				best = q
			}
		}
		if best == nil {
			break
		}
		a.offer(best.Ready.First())
	}
	for _, q := range a.dirtyQueues {
		q.Dirty = false
	}
	a.dirtyQueues = a.dirtyQueues[:0]
}

// offer rings the agents the queue's strategy picks for c.
func (a *ACD) offer(c *queuedCall) {
	picks := a.pick(c.Queue, c)
	c.Queue.Ready.Remove(&c.ReadyNode)
	c.Ready = false
	agents := make([]*agent, len(picks))
	for i, cand := range picks {
		agents[i] = cand.Owner.(*agent)
	}
	a.ring(c, agents, "")
}

// ring offers c to agents, with reason on their AgentOffered events, for
// the queue's ring timeout.
func (a *ACD) ring(c *queuedCall, agents []*agent, reason string) {
	q := c.Queue
	ids := make([]string, len(agents))
	for i, ag := range agents {
		ids[i] = ag.Cfg.ID
		ag.Call = c
		c.Legs = append(c.Legs, ag)
		a.mustTransition(ag, agentstate.EventOffer, "")
		a.emit(call.Event{
			Kind: call.AgentOffered, CallID: c.ID, Caller: c.Caller,
			Queue: q.Cfg.Name, Priority: c.Priority, Agent: ag.Cfg.ID, Reason: reason,
		})
	}
	a.timers.Arm(&c.RingTimer, a.now.Add(q.Cfg.RingTimeout))
	a.do(Offer{CallID: c.ID, AgentIDs: ids, Timeout: q.Cfg.RingTimeout})
}

// pick asks the strategy for agents that have not failed c yet; when all
// eligible agents have, the list starts over so the call is never stranded
// while someone could take it.
func (a *ACD) pick(q *queue, c *queuedCall) []*strategy.Candidate {
	var skip func(*strategy.Candidate) bool
	if len(c.Tried) > 0 {
		skip = func(cand *strategy.Candidate) bool { return slices.Contains(c.Tried, cand.Owner.(*agent)) }
	}
	picks := q.Strategy.Pick(a.picks[:0], skip)
	if len(picks) == 0 && skip != nil {
		c.Tried = c.Tried[:0]
		picks = q.Strategy.Pick(picks, nil)
	}
	a.picks = picks
	return picks
}

// makeReady puts a waiting call back among those routing may offer.
func (a *ACD) makeReady(c *queuedCall) {
	if a.parkSticky(c) {
		return
	}
	c.Ready = true
	c.Queue.Ready.Insert(&c.ReadyNode)
	a.markDirty(c.Queue)
}
