package acd

import (
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/roster"
)

// AgentLogin makes a logged-out agent Available; its idle time starts now.
// Registration of the agent's phone is the runtime's business.
func (a *ACD) AgentLogin(agentID string) ([]Action, error) {
	return a.agentLogin(agentID, false, "")
}

// AgentLoginPaused logs a logged-out agent in straight to Paused with
// reason, as when a state from before a restart comes back: no call is
// offered in between, so the agent's phone never rings for a call that
// would be withdrawn at once.
func (a *ACD) AgentLoginPaused(agentID, reason string) ([]Action, error) {
	return a.agentLogin(agentID, true, reason)
}

func (a *ACD) agentLogin(agentID string, paused bool, reason string) ([]Action, error) {
	a.begin()
	ag, err := a.agentNamed(agentID)
	if err != nil {
		return nil, err
	}
	if ag.State == LoggedOut {
		ag.IdleSince = a.now
		ag.NoAnswers = 0
	}
	if err := a.transition(ag, agentstate.EventLogin, ""); err != nil {
		return nil, err
	}
	if paused {
		a.mustTransition(ag, agentstate.EventPause, reason) // Available → Paused always holds
	}
	a.route()
	return a.finish(), nil
}

// AgentLogout logs an agent out. From Available, Paused or Wrapup it happens
// at once (ending the wrap-up); from Ringing the offer is withdrawn first
// (CancelOffer) and the call goes to the next agent; from Talking or Hold it
// is deferred until the call's wrap-up ends. A queue that empties itself
// sends its callers away (Leave) when its last agent goes.
func (a *ACD) AgentLogout(agentID string) ([]Action, error) {
	a.begin()
	ag, err := a.agentNamed(agentID)
	if err != nil {
		return nil, err
	}
	if err := a.logout(ag); err != nil {
		return nil, err
	}
	a.route()
	return a.finish(), nil
}

// logout logs ag out now, or when its call's wrap-up ends.
func (a *ACD) logout(ag *agent) error {
	switch ag.State {
	case Talking, Hold:
		ag.Pending, ag.PendingReason = roster.PendingLogout, ""
	case Ringing:
		c := ag.Call
		a.withdrawLeg(c, ag, agentstate.EventLogout, "")
		a.afterLegGone(c)
		a.afterLogout(ag)
	case Wrapup:
		a.leaveWrapup(ag, agentstate.EventLogout, "")
	default:
		if err := a.transition(ag, agentstate.EventLogout, ""); err != nil {
			return err
		}
		a.afterLogout(ag)
	}
	return nil
}

// freeWithoutWrapup makes an agent who was busy without a customer call of
// its own (a consult, a callback that never connected) available at once,
// then applies a pause or logout asked for meanwhile.
func (a *ACD) freeWithoutWrapup(ag *agent, reason string) {
	a.mustTransition(ag, agentstate.EventConsultEnd, reason)
	switch ag.Pending {
	case roster.PendingPause:
		a.mustTransition(ag, agentstate.EventPause, ag.PendingReason)
	case roster.PendingLogout:
		a.mustTransition(ag, agentstate.EventLogout, "")
		a.afterLogout(ag)
	}
	ag.Pending, ag.PendingReason = roster.PendingNone, ""
}

func (a *ACD) afterLogout(ag *agent) {
	for _, m := range ag.Member {
		a.leaveIfEmpty(m.Q)
	}
}

// AgentPause pauses an agent with a reason code (for paused-time reports).
// From Available, Paused (a new reason) or Wrapup it happens at once; from
// Ringing the offer is withdrawn first; from Talking or Hold it is deferred
// until the call's wrap-up ends.
func (a *ACD) AgentPause(agentID, reason string) ([]Action, error) {
	a.begin()
	ag, err := a.agentNamed(agentID)
	if err != nil {
		return nil, err
	}
	switch ag.State {
	case Talking, Hold:
		ag.Pending, ag.PendingReason = roster.PendingPause, reason
	case Ringing:
		c := ag.Call
		a.withdrawLeg(c, ag, agentstate.EventPause, reason)
		a.afterLegGone(c)
	case Wrapup:
		a.leaveWrapup(ag, agentstate.EventPause, reason)
	case Paused:
		if reason != ag.Reason {
			a.mustTransition(ag, agentstate.EventPause, reason)
		}
	default:
		if err := a.transition(ag, agentstate.EventPause, reason); err != nil {
			return nil, err
		}
	}
	a.route()
	return a.finish(), nil
}

// AgentReady makes a paused agent Available, or ends its wrap-up early.
// During a call it cancels a deferred pause or logout. It is a no-op for an
// agent already Available, and an error for one logged out or ringing.
func (a *ACD) AgentReady(agentID string) ([]Action, error) {
	a.begin()
	ag, err := a.agentNamed(agentID)
	if err != nil {
		return nil, err
	}
	switch ag.State {
	case Available:
	case Talking, Hold:
		ag.Pending, ag.PendingReason = roster.PendingNone, ""
	case Wrapup:
		a.leaveWrapup(ag, agentstate.EventReady, "")
	default:
		if err := a.transition(ag, agentstate.EventReady, ""); err != nil {
			return nil, err
		}
	}
	a.route()
	return a.finish(), nil
}
