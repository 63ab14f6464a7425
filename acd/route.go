package acd

import (
	"slices"

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
		for _, q := range a.dirty {
			if q.ready.Len() == 0 || q.strategy.Len() == 0 {
				continue
			}
			if best == nil || servedBefore(q.ready.First(), best.ready.First()) {
				best = q
			}
		}
		if best == nil {
			break
		}
		a.offer(best.ready.First())
	}
	for _, q := range a.dirty {
		q.dirty = false
	}
	a.dirty = a.dirty[:0]
}

// offer rings the agents the queue's strategy picks for c.
func (a *ACD) offer(c *queuedCall) {
	q := c.queue
	picks := a.pick(q, c)
	q.ready.Remove(&c.readyNode)
	c.ready = false
	ids := make([]string, len(picks))
	for i, cand := range picks {
		ag := cand.Owner.(*agent)
		ids[i] = ag.cfg.ID
		ag.call = c
		c.legs = append(c.legs, ag)
		a.mustTransition(ag, EventOffer, "")
		a.emit(call.Event{
			Kind: call.AgentOffered, CallID: c.id, Caller: c.caller,
			Queue: q.cfg.Name, Priority: c.priority, Agent: ag.cfg.ID,
		})
	}
	a.arm(&c.ringTimer, a.now.Add(q.cfg.RingTimeout))
	a.do(Offer{CallID: c.id, AgentIDs: ids, Timeout: q.cfg.RingTimeout})
}

// pick asks the strategy for agents that have not failed c yet; when all
// eligible agents have, the list starts over so the call is never stranded
// while someone could take it.
func (a *ACD) pick(q *queue, c *queuedCall) []*strategy.Candidate {
	var skip func(*strategy.Candidate) bool
	if len(c.tried) > 0 {
		skip = func(cand *strategy.Candidate) bool { return slices.Contains(c.tried, cand.Owner.(*agent)) }
	}
	picks := q.strategy.Pick(a.picks[:0], skip)
	if len(picks) == 0 && skip != nil {
		c.tried = c.tried[:0]
		picks = q.strategy.Pick(picks, nil)
	}
	a.picks = picks
	return picks
}

// makeReady puts a waiting call back among those routing may offer.
func (a *ACD) makeReady(c *queuedCall) {
	if a.parkSticky(c) {
		return
	}
	c.ready = true
	c.queue.ready.Insert(&c.readyNode)
	a.markDirty(c.queue)
}
