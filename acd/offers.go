package acd

import (
	"fmt"
	"slices"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/call"
)

// OfferAnswered reports that agentID picked up the offered call. The agent
// starts Talking, any other agents still ringing (ring-all) are cancelled,
// and a Connect action follows them.
func (a *ACD) OfferAnswered(callID, agentID string) ([]Action, error) {
	a.begin()
	c, ag, err := a.leg(callID, agentID)
	if err != nil {
		return nil, err
	}
	a.timers.Disarm(&c.RingTimer)
	if c.Callback != nil {
		a.callbackTaken(c, ag) // callback.go: answered only once the customer is
		return a.finish(), nil
	}
	a.withdrawAll(c, ag, action.ReasonAnsweredElsewhere)
	q := c.Queue
	a.leaveQueue(c)
	c.Agent, c.AnsweredAt = ag, a.now
	ag.NoAnswers = 0
	ag.CallsToday++
	a.emit(call.Event{
		Kind: call.AgentAnswered, CallID: c.ID, Caller: c.Caller, Queue: q.Cfg.Name,
		Priority: c.Priority, Agent: ag.Cfg.ID, Wait: a.now.Sub(c.Joined),
	})
	a.mustTransition(ag, agentstate.EventAnswer, "")
	a.do(Connect{CallID: c.ID, AgentID: ag.Cfg.ID, WorkNumber: ag.Cfg.WorkNumber, AnnounceAgent: q.Cfg.AnnounceAgent})
	a.route()
	return a.finish(), nil
}

// OfferFailed reports that agentID did not take the offered call. Timeout
// and Failed count towards the queue's AutoPauseAfter; Busy, Declined and
// Failed keep the agent out of routing for the queue's BusyBackoff. When no
// agent is left ringing, the call waits again (or overflows, if its MaxWait
// passed meanwhile) and is offered to the next agent at once if there is one.
func (a *ACD) OfferFailed(callID, agentID string, why OfferFailure) ([]Action, error) {
	if !why.Valid() {
		return nil, fmt.Errorf("acd: offer failure %q: %w", why, ErrBadArgument)
	}
	a.begin()
	c, ag, err := a.leg(callID, agentID)
	if err != nil {
		return nil, err
	}
	c.Legs = slices.DeleteFunc(c.Legs, func(x *agent) bool { return x == ag })
	a.blame(c, ag, why)
	a.afterLegGone(c)
	a.route()
	return a.finish(), nil
}

// leg finds a call and one of the agents ringing for it.
func (a *ACD) leg(callID, agentID string) (*queuedCall, *agent, error) {
	c, err := a.callNamed(callID)
	if err != nil {
		return nil, nil, err
	}
	ag, err := a.agentNamed(agentID)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(c.Legs, ag) {
		return nil, nil, fmt.Errorf("acd: call %s, agent %s: %w", callID, agentID, ErrNoOffer)
	}
	return c, ag, nil
}

// blame handles an agent's failure to take c, once its leg is gone.
func (a *ACD) blame(c *queuedCall, ag *agent, why OfferFailure) {
	q := c.Queue
	c.Tried = append(c.Tried, ag)
	a.emit(call.Event{
		Kind: call.AgentNoAnswer, CallID: c.ID, Queue: q.Cfg.Name,
		Agent: ag.Cfg.ID, Reason: string(why),
	})
	if why.BacksOff() && q.Cfg.BusyBackoff > 0 {
		// Before the state change, so the agent is not routable even briefly.
		ag.BackoffUntil = a.now.Add(q.Cfg.BusyBackoff)
		a.timers.Arm(&ag.BackoffTimer, ag.BackoffUntil)
	}
	if why.CountsAsNoAnswer() {
		ag.NoAnswers++
	}
	if q.Cfg.AutoPauseAfter > 0 && ag.NoAnswers >= q.Cfg.AutoPauseAfter {
		ag.NoAnswers = 0
		a.mustTransition(ag, agentstate.EventPause, ReasonNoAnswer)
	} else {
		a.mustTransition(ag, agentstate.EventNoAnswer, string(why))
	}
	ag.Call = nil
}

// withdrawLeg stops ringing ag for c without blaming the agent, moving it on
// e (cancel, pause or logout). The caller decides what becomes of c.
func (a *ACD) withdrawLeg(c *queuedCall, ag *agent, e agentstate.Event, reason string) {
	c.Legs = slices.DeleteFunc(c.Legs, func(x *agent) bool { return x == ag })
	a.do(CancelOffer{CallID: c.ID, AgentID: ag.Cfg.ID})
	a.mustTransition(ag, e, reason)
	ag.Call = nil
}

// withdrawAll stops ringing every agent for c but keep (which may be nil),
// without blaming them.
func (a *ACD) withdrawAll(c *queuedCall, keep *agent, reason string) {
	legs := c.Legs
	c.Legs = nil
	for _, ag := range legs {
		if ag == keep {
			continue
		}
		a.do(CancelOffer{CallID: c.ID, AgentID: ag.Cfg.ID})
		a.mustTransition(ag, agentstate.EventCancel, reason)
		ag.Call = nil
	}
}

// afterLegGone returns c to waiting once nobody rings for it any more.
func (a *ACD) afterLegGone(c *queuedCall) {
	if len(c.Legs) > 0 {
		return
	}
	a.timers.Disarm(&c.RingTimer)
	if c.Overdue {
		a.overflow(c)
		return
	}
	a.makeReady(c)
}

// ringTimedOut withdraws every leg still ringing when the queue's RingTimeout
// runs out, as a timeout for each agent.
func (a *ACD) ringTimedOut(c *queuedCall) {
	legs := c.Legs
	c.Legs = nil
	for _, ag := range legs {
		a.do(CancelOffer{CallID: c.ID, AgentID: ag.Cfg.ID})
		a.blame(c, ag, FailTimeout)
	}
	a.afterLegGone(c)
}
