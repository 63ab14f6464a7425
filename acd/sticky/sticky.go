package sticky

import (
	"slices"
	"time"

	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/roster"
)

// Outcomes of a preference, as reported to the observer.
const (
	// Hit: the preferred agent was offered the call.
	Hit = "hit"
	// Miss: the preferred agent was not logged in when the call arrived,
	// logged out while it waited, or is no longer configured.
	Miss = "miss"
	// Expired: the grace time ran out before the preferred agent became
	// available; the call went to the queue's strategy.
	Expired = "expired"
)

// ReasonSticky marks the AgentOffered event of an offer made to a caller's
// preferred agent rather than by the queue's strategy.
const ReasonSticky = "sticky"

// Outcome reports what became of one call's preferred agent.
type Outcome struct {
	CallID string
	Queue  string
	Agent  string
	Result string // Hit, Miss or Expired
}

// Request is a caller's preferred agent, asked for before the call joins
// its queue and consumed when it first becomes ready.
type Request struct {
	Agent string
	Grace time.Duration
}

// Wait is a call set aside for its preferred agent, and its grace timer.
type Wait struct {
	Call  *roster.Call
	Agent *roster.Agent
	Timer roster.Timer
}

// Book is the ACD's sticky-agent state. The zero Book is empty.
type Book struct {
	requests map[string]Request // call id → preference, for the join in progress
	parked   []*Wait            // in the order they were parked
	Observe  func(Outcome)      // told every outcome; may be nil
}

// Ask records callID's preference until Take or Forget.
func (b *Book) Ask(callID string, r Request) {
	if b.requests == nil {
		b.requests = make(map[string]Request)
	}
	b.requests[callID] = r
}

// Forget drops callID's preference if it was not taken.
func (b *Book) Forget(callID string) { delete(b.requests, callID) }

// Take consumes callID's preference, if it has one.
func (b *Book) Take(callID string) (Request, bool) {
	r, ok := b.requests[callID]
	delete(b.requests, callID)
	return r, ok
}

// Park sets c aside for ag; the caller arms the wait's timer.
func (b *Book) Park(c *roster.Call, ag *roster.Agent) *Wait {
	w := &Wait{Call: c, Agent: ag, Timer: roster.CallTimer(roster.TimerSticky, c)}
	b.parked = append(b.parked, w)
	return w
}

// Due is the first parked wait that must end now, in parking order: one
// whose agent logged out (hit false), or, for an agent who is routable,
// the call parked for them that is served first (hit true).
func (b *Book) Due() (w *Wait, hit, ok bool) {
	for _, w := range b.parked {
		switch {
		case w.Agent.State == agentstate.LoggedOut:
			return w, false, true
		case w.Agent.Routable:
			return b.bestFor(w.Agent), true, true
		}
	}
	return nil, false, false
}

func (b *Book) bestFor(ag *roster.Agent) *Wait {
	var best *Wait
	for _, w := range b.parked {
		if w.Agent == ag && (best == nil || roster.ServedBefore(w.Call, best.Call)) {
			best = w
		}
	}
	return best
}

// For is the wait c is parked in, or nil.
func (b *Book) For(c *roster.Call) *Wait {
	for _, w := range b.parked {
		if w.Call == c {
			return w
		}
	}
	return nil
}

// Remove forgets w; the caller disarms its timer.
func (b *Book) Remove(w *Wait) {
	b.parked = slices.DeleteFunc(b.parked, func(x *Wait) bool { return x == w })
}

// Len is the number of calls parked.
func (b *Book) Len() int { return len(b.parked) }

// Tell reports the outcome of c's preference for agentID.
func (b *Book) Tell(c *roster.Call, agentID, result string) {
	if b.Observe != nil {
		b.Observe(Outcome{CallID: c.ID, Queue: c.Queue.Cfg.Name, Agent: agentID, Result: result})
	}
}
