package acd

import (
	"fmt"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/acd/roster"
	"github.com/hotline-oss/hotline/call"
)

// Sticky-agent outcomes, as reported to the sticky observer.
const (
	// StickyHit: the preferred agent was offered the call.
	StickyHit = "hit"
	// StickyMiss: the preferred agent was not logged in when the call
	// arrived, logged out while it waited, or is no longer configured.
	StickyMiss = "miss"
	// StickyExpired: the grace time ran out before the preferred agent
	// became available; the call went to the queue's strategy.
	StickyExpired = "expired"
)

// ReasonSticky marks the AgentOffered event of an offer made to a caller's
// preferred agent rather than by the queue's strategy.
const ReasonSticky = "sticky"

// stickyRequest is a caller's preferred agent, asked for by
// EnqueuePreferring and consumed when the call first becomes ready.
type stickyRequest struct {
	Agent string
	grace time.Duration
}

// stickyWait is a call set aside for its preferred agent. While parked it
// stays in its queue's waiting list (position, announcements, MaxWait all
// apply) but not in the ready list, so routing passes over it and the
// callers behind it are served by the other agents as usual.
type stickyWait struct {
	Call  *queuedCall
	Agent *agent
	Timer timer
}

// stickyBook is the ACD's sticky-agent state.
type stickyBook struct {
	requests map[string]stickyRequest // call id → preference, for the Enqueue in progress
	parked   []*stickyWait            // in the order they were parked
	observe  func(StickyOutcome)
}

// StickyOutcome reports what became of one call's preferred agent.
type StickyOutcome struct {
	CallID string
	Queue  string
	Agent  string
	Result string // StickyHit, StickyMiss or StickyExpired
}

// WithStickyObserver sets the function told the outcome of every sticky
// preference (for hotline_sticky_offers_total). Like WithObserver it runs
// synchronously and must not call back into the ACD.
func WithStickyObserver(observe func(StickyOutcome)) Option {
	return func(a *ACD) error {
		a.sticky.observe = observe
		return nil
	}
}

// EnqueuePreferring is Enqueue for a caller with a preferred agent (the one
// who handled their last call). When that agent is logged in, the call is
// offered to them first: at once if they are available — whoever else has
// been idle longer — or as soon as they become available within grace.
// Meanwhile the call keeps its place in the queue but does not hold up the
// callers behind it: other agents take those. After grace, or when the
// agent logs out, the call goes to the queue's strategy like any other.
// The agent need not be a member of the queue: ownership of the customer
// comes first. An agent no longer configured counts as a miss, not an
// error, since the preference comes from old call records.
func (a *ACD) EnqueuePreferring(callID, queueName, caller string, priority int, agentID string, grace time.Duration) ([]Action, error) {
	if agentID == "" || grace <= 0 {
		return nil, fmt.Errorf("acd: enqueue %s: preferred agent %q, grace %v: %w", callID, agentID, grace, ErrBadArgument)
	}
	if a.sticky.requests == nil {
		a.sticky.requests = make(map[string]stickyRequest)
	}
	a.sticky.requests[callID] = stickyRequest{Agent: agentID, grace: grace}
	// Enqueue consumes the request when the call becomes ready; a call
	// blocked or rejected never does.
	defer delete(a.sticky.requests, callID)
	return a.Enqueue(callID, queueName, caller, priority)
}

// parkSticky sets c aside for its preferred agent instead of making it
// ready; it reports whether it did. Only the first makeReady of a call
// parks it: a call whose preferred agent did not answer is offered by the
// strategy from then on.
func (a *ACD) parkSticky(c *queuedCall) bool {
	req, ok := a.sticky.requests[c.ID]
	if !ok {
		return false
	}
	delete(a.sticky.requests, c.ID)
	ag := a.agentByID[req.Agent]
	if ag == nil || ag.State == LoggedOut {
		a.stickyOutcome(c, req.Agent, StickyMiss)
		return false
	}
	w := &stickyWait{Call: c, Agent: ag}
	w.Timer = roster.CallTimer(roster.TimerSticky, c)
	a.sticky.parked = append(a.sticky.parked, w)
	a.arm(&w.Timer, a.now.Add(req.grace))
	return true
}

// routeSticky runs before the strategies on every routing pass: a preferred
// agent who is available takes the longest-waiting call parked for them,
// and calls whose agent logged out are released to their queues.
func (a *ACD) routeSticky() {
	for i := 0; i < len(a.sticky.parked); {
		w := a.sticky.parked[i]
		switch {
		case w.Agent.State == LoggedOut:
			a.unpark(w)
			a.stickyOutcome(w.Call, w.Agent.Cfg.ID, StickyMiss)
			a.makeReady(w.Call)
		case w.Agent.Routable:
			best := a.bestParkedFor(w.Agent)
			a.unpark(best)
			a.stickyOutcome(best.Call, best.Agent.Cfg.ID, StickyHit)
			a.offerPreferred(best.Call, best.Agent)
		default:
			i++
			continue
		}
		i = 0 // the list changed under the index
	}
}

func (a *ACD) bestParkedFor(ag *agent) *stickyWait {
	var best *stickyWait
	for _, w := range a.sticky.parked {
		if w.Agent == ag && (best == nil || roster.ServedBefore(w.Call, best.Call)) {
			best = w
		}
	}
	return best
}

// offerPreferred rings the preferred agent alone for c, as offer does for
// the strategy's picks.
func (a *ACD) offerPreferred(c *queuedCall, ag *agent) {
	q := c.Queue
	ag.Call = c
	c.Legs = append(c.Legs, ag)
	a.mustTransition(ag, EventOffer, "")
	a.emit(call.Event{
		Kind: call.AgentOffered, CallID: c.ID, Caller: c.Caller,
		Queue: q.Cfg.Name, Priority: c.Priority, Agent: ag.Cfg.ID, Reason: ReasonSticky,
	})
	a.arm(&c.RingTimer, a.now.Add(q.Cfg.RingTimeout))
	a.do(Offer{CallID: c.ID, AgentIDs: []string{ag.Cfg.ID}, Timeout: q.Cfg.RingTimeout})
}

// stickyExpired releases a parked call to its queue's strategy when its
// grace time is over.
func (a *ACD) stickyExpired(c *queuedCall) {
	w := a.parkedFor(c)
	if w == nil {
		return
	}
	a.unpark(w)
	a.stickyOutcome(c, w.Agent.Cfg.ID, StickyExpired)
	a.makeReady(c)
}

// unparkSticky forgets c's parking when it leaves its queue (abandon,
// overflow, leave).
func (a *ACD) unparkSticky(c *queuedCall) {
	if len(a.sticky.parked) == 0 {
		return
	}
	if w := a.parkedFor(c); w != nil {
		a.unpark(w)
	}
}

func (a *ACD) parkedFor(c *queuedCall) *stickyWait {
	for _, w := range a.sticky.parked {
		if w.Call == c {
			return w
		}
	}
	return nil
}

func (a *ACD) unpark(w *stickyWait) {
	a.disarm(&w.Timer)
	a.sticky.parked = slices.DeleteFunc(a.sticky.parked, func(x *stickyWait) bool { return x == w })
}

func (a *ACD) stickyOutcome(c *queuedCall, agentID, result string) {
	if a.sticky.observe != nil {
		a.sticky.observe(StickyOutcome{CallID: c.ID, Queue: c.Queue.Cfg.Name, Agent: agentID, Result: result})
	}
}

// StickyWaiting is the number of calls set aside for their preferred agent.
func (a *ACD) StickyWaiting() int { return len(a.sticky.parked) }
