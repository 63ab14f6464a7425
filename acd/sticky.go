package acd

import (
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/acd/sticky"
)

// StickyOutcome reports what became of one call's preferred agent.
type StickyOutcome = sticky.Outcome

// WithStickyObserver sets the function told the outcome of every sticky
// preference (for hotline_sticky_offers_total). Like WithObserver it runs
// synchronously and must not call back into the ACD.
func WithStickyObserver(observe func(StickyOutcome)) Option {
	return func(a *ACD) error {
		a.sticky.Observe = observe
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
	a.sticky.Ask(callID, sticky.Request{Agent: agentID, Grace: grace})
	// Enqueue consumes the request when the call becomes ready; a call
	// blocked or rejected never does.
	defer a.sticky.Forget(callID)
	return a.Enqueue(callID, queueName, caller, priority)
}

// parkSticky sets c aside for its preferred agent instead of making it
// ready; it reports whether it did. Only the first makeReady of a call
// parks it: a call whose preferred agent did not answer is offered by the
// strategy from then on.
func (a *ACD) parkSticky(c *queuedCall) bool {
	req, ok := a.sticky.Take(c.ID)
	if !ok {
		return false
	}
	ag := a.roster.AgentByID[req.Agent]
	if ag == nil || ag.State == LoggedOut {
		a.sticky.Tell(c, req.Agent, sticky.Miss)
		return false
	}
	w := a.sticky.Park(c, ag)
	a.timers.Arm(&w.Timer, a.now.Add(req.Grace))
	return true
}

// routeSticky runs before the strategies on every routing pass: a preferred
// agent who is available takes the longest-waiting call parked for them,
// and calls whose agent logged out are released to their queues.
func (a *ACD) routeSticky() {
	for w, hit, ok := a.sticky.Due(); ok; w, hit, ok = a.sticky.Due() {
		a.unpark(w)
		if hit {
			a.sticky.Tell(w.Call, w.Agent.Cfg.ID, sticky.Hit)
			a.ring(w.Call, []*agent{w.Agent}, sticky.ReasonSticky) // alone, before the strategies
		} else {
			a.sticky.Tell(w.Call, w.Agent.Cfg.ID, sticky.Miss)
			a.makeReady(w.Call)
		}
	}
}

// stickyExpired releases a parked call to its queue's strategy when its
// grace time is over.
func (a *ACD) stickyExpired(c *queuedCall) {
	w := a.sticky.For(c)
	if w == nil {
		return
	}
	a.unpark(w)
	a.sticky.Tell(c, w.Agent.Cfg.ID, sticky.Expired)
	a.makeReady(c)
}

// unparkSticky forgets c's parking when it leaves its queue (abandon,
// overflow, leave).
func (a *ACD) unparkSticky(c *queuedCall) {
	if a.sticky.Len() == 0 {
		return
	}
	if w := a.sticky.For(c); w != nil {
		a.unpark(w)
	}
}

func (a *ACD) unpark(w *sticky.Wait) {
	a.timers.Disarm(&w.Timer)
	a.sticky.Remove(w)
}

// StickyWaiting is the number of calls set aside for their preferred agent.
func (a *ACD) StickyWaiting() int { return a.sticky.Len() }
