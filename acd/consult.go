package acd

import (
	"errors"
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/call"
)

// Consult calls are agents' internal calls to each other, placed while one
// of them holds a caller, usually to hand that caller over (attended
// transfer). They are not hotline calls: the ACD only keeps the called
// agent busy for their duration, so no customer call is offered to a phone
// that is already ringing or talking for a colleague.

// Reasons of the agent state changes a consult call causes.
const (
	ReasonConsult          = "consult"           // busy on a colleague's consult call
	ReasonConsultEnded     = "consult_ended"     // the consult ended without a transfer
	ReasonAttendedTransfer = "attended_transfer" // the consulted agent took the caller
)

// Why a consult call cannot reach an agent.
var (
	// ErrAgentLoggedOut: the agent is logged out (SIP 480 to the caller
	// of the consult).
	ErrAgentLoggedOut = errors.New("agent is logged out")
	// ErrAgentNotFree: the agent is logged in but ringing, talking, in
	// wrap-up or paused (SIP 486).
	ErrAgentNotFree = errors.New("agent is not available")
	// ErrNoConsult: the agent is not busy with that consult call.
	ErrNoConsult = errors.New("agent is not on that consult call")
)

// ConsultStart makes an available agent busy (Talking, reason consult) for
// the internal consult call consultID, placed by another agent. Only an
// Available agent can be consulted: a paused agent or one in wrap-up is not
// taking calls, and the ACD cannot offer both a customer and a colleague.
func (a *ACD) ConsultStart(agentID, consultID string) ([]Action, error) {
	if consultID == "" {
		return nil, fmt.Errorf("acd: consult of agent %s without an id: %w", agentID, ErrBadArgument)
	}
	a.begin()
	ag, err := a.agentNamed(agentID)
	if err != nil {
		return nil, err
	}
	switch ag.State {
	case Available:
	case LoggedOut:
		return nil, fmt.Errorf("acd: consult of agent %s: %w", agentID, ErrAgentLoggedOut)
	default:
		return nil, fmt.Errorf("acd: consult of agent %s while %s: %w", agentID, ag.State, ErrAgentNotFree)
	}
	if err := a.transition(ag, agentstate.EventConsult, ReasonConsult); err != nil {
		return nil, err
	}
	ag.Consult = consultID
	a.route()
	return a.finish(), nil
}

// ConsultEnd frees an agent whose consult call ended (it was not answered,
// or one side hung up) without the caller being handed over. The agent is
// available again at once, with no wrap-up: there was no customer call to
// work on. A pause or logout asked for during the consult applies now.
func (a *ACD) ConsultEnd(agentID, consultID string) ([]Action, error) {
	a.begin()
	ag, err := a.consultingAgent(agentID, consultID)
	if err != nil {
		return nil, err
	}
	ag.Consult = ""
	a.freeWithoutWrapup(ag, ReasonConsultEnded)
	a.route()
	return a.finish(), nil
}

// AttendedTransfer hands a connected call from its agent to toAgent, who is
// on the consult call consultID with that agent. The call stays in the ACD,
// neither re-queued nor counted again as answered: the transferring agent's
// talk ends (Transferred with kind attended, then TalkEnded with reason
// transferred, then its wrap-up) and toAgent goes on talking, now to the
// caller.
func (a *ACD) AttendedTransfer(callID, toAgent, consultID string) ([]Action, error) {
	a.begin()
	c, err := a.connectedCall(callID)
	if err != nil {
		return nil, err
	}
	to, err := a.consultingAgent(toAgent, consultID)
	if err != nil {
		return nil, err
	}
	if to == c.Agent {
		return nil, fmt.Errorf("acd: attended transfer of call %s to its own agent %s: %w", callID, toAgent, ErrBadArgument)
	}
	a.emit(call.Event{
		Kind: call.Transferred, CallID: c.ID, Queue: c.Queue.Cfg.Name, Agent: c.Agent.Cfg.ID,
		TransferKind: string(TransferAttended), Target: action.TargetAgent + ":" + to.Cfg.ID,
	})
	a.endTalk(c, call.HangupByAgent, action.ReasonTransferred)
	// endTalk let the call go; it continues with the consulted agent.
	a.roster.Calls[c.ID] = c
	c.Agent, c.AnsweredAt, c.Held, c.HoldStart = to, a.now, 0, time.Time{}
	to.Consult = ""
	to.Call = c
	to.CallsToday++
	to.NoAnswers = 0
	// Talking to Talking: the event tells who now serves the call.
	a.setState(to, Talking, ReasonAttendedTransfer)
	a.route()
	return a.finish(), nil
}

func (a *ACD) consultingAgent(agentID, consultID string) (*agent, error) {
	ag, err := a.agentNamed(agentID)
	if err != nil {
		return nil, err
	}
	if consultID == "" || ag.Consult != consultID {
		return nil, fmt.Errorf("acd: agent %s, consult %q: %w", agentID, consultID, ErrNoConsult)
	}
	return ag, nil
}
