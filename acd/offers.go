package acd

import (
	"fmt"
	"slices"

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
	a.disarm(&c.ringTimer)
	if c.cb != nil {
		a.callbackTaken(c, ag) // callback.go: answered only once the customer is
		return a.finish(), nil
	}
	a.withdrawAll(c, ag, ReasonAnsweredElsewhere)
	q := c.queue
	a.leaveQueue(c)
	c.agent, c.answeredAt = ag, a.now
	ag.noAnswers = 0
	ag.callsToday++
	a.emit(call.Event{
		Kind: call.AgentAnswered, CallID: c.id, Caller: c.caller, Queue: q.cfg.Name,
		Priority: c.priority, Agent: ag.cfg.ID, Wait: a.now.Sub(c.joined),
	})
	a.mustTransition(ag, EventAnswer, "")
	a.do(Connect{CallID: c.id, AgentID: ag.cfg.ID, WorkNumber: ag.cfg.WorkNumber, AnnounceAgent: q.cfg.AnnounceAgent})
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
	c.legs = slices.DeleteFunc(c.legs, func(x *agent) bool { return x == ag })
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
	if !slices.Contains(c.legs, ag) {
		return nil, nil, fmt.Errorf("acd: call %s, agent %s: %w", callID, agentID, ErrNoOffer)
	}
	return c, ag, nil
}

// blame handles an agent's failure to take c, once its leg is gone.
func (a *ACD) blame(c *queuedCall, ag *agent, why OfferFailure) {
	q := c.queue
	c.tried = append(c.tried, ag)
	a.emit(call.Event{
		Kind: call.AgentNoAnswer, CallID: c.id, Queue: q.cfg.Name,
		Agent: ag.cfg.ID, Reason: string(why),
	})
	if why.BacksOff() && q.cfg.BusyBackoff > 0 {
		// Before the state change, so the agent is not routable even briefly.
		ag.backoffUntil = a.now.Add(q.cfg.BusyBackoff)
		a.arm(&ag.backoffTimer, ag.backoffUntil)
	}
	if why.CountsAsNoAnswer() {
		ag.noAnswers++
	}
	if q.cfg.AutoPauseAfter > 0 && ag.noAnswers >= q.cfg.AutoPauseAfter {
		ag.noAnswers = 0
		a.mustTransition(ag, EventPause, ReasonNoAnswer)
	} else {
		a.mustTransition(ag, EventNoAnswer, string(why))
	}
	ag.call = nil
}

// withdrawLeg stops ringing ag for c without blaming the agent, moving it on
// e (cancel, pause or logout). The caller decides what becomes of c.
func (a *ACD) withdrawLeg(c *queuedCall, ag *agent, e AgentEvent, reason string) {
	c.legs = slices.DeleteFunc(c.legs, func(x *agent) bool { return x == ag })
	a.do(CancelOffer{CallID: c.id, AgentID: ag.cfg.ID})
	a.mustTransition(ag, e, reason)
	ag.call = nil
}

// withdrawAll stops ringing every agent for c but keep (which may be nil),
// without blaming them.
func (a *ACD) withdrawAll(c *queuedCall, keep *agent, reason string) {
	legs := c.legs
	c.legs = nil
	for _, ag := range legs {
		if ag == keep {
			continue
		}
		a.do(CancelOffer{CallID: c.id, AgentID: ag.cfg.ID})
		a.mustTransition(ag, EventCancel, reason)
		ag.call = nil
	}
}

// afterLegGone returns c to waiting once nobody rings for it any more.
func (a *ACD) afterLegGone(c *queuedCall) {
	if len(c.legs) > 0 {
		return
	}
	a.disarm(&c.ringTimer)
	if c.overdue {
		a.overflow(c)
		return
	}
	a.makeReady(c)
}

// ringTimedOut withdraws every leg still ringing when the queue's RingTimeout
// runs out, as a timeout for each agent.
func (a *ACD) ringTimedOut(c *queuedCall) {
	legs := c.legs
	c.legs = nil
	for _, ag := range legs {
		a.do(CancelOffer{CallID: c.id, AgentID: ag.cfg.ID})
		a.blame(c, ag, FailTimeout)
	}
	a.afterLegGone(c)
}
