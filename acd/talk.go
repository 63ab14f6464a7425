package acd

import (
	"fmt"
	"slices"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/roster"
	"github.com/hotline-oss/hotline/call"
)

// Hold records that the agent put the caller on hold (Talking → Hold).
func (a *ACD) Hold(callID string) error {
	a.begin()
	c, err := a.connectedCall(callID)
	if err != nil {
		return err
	}
	if err := a.transition(c.Agent, agentstate.EventHold, ""); err != nil {
		return err
	}
	c.HoldStart = a.now
	a.emit(call.Event{Kind: call.Held, CallID: c.ID, Queue: c.Queue.Cfg.Name, Agent: c.Agent.Cfg.ID})
	return nil
}

// Unhold records that the agent took the caller back (Hold → Talking).
func (a *ACD) Unhold(callID string) error {
	a.begin()
	c, err := a.connectedCall(callID)
	if err != nil {
		return err
	}
	if err := a.transition(c.Agent, agentstate.EventUnhold, ""); err != nil {
		return err
	}
	c.Held += a.now.Sub(c.HoldStart)
	a.emit(call.Event{Kind: call.Unheld, CallID: c.ID, Queue: c.Queue.Cfg.Name, Agent: c.Agent.Cfg.ID})
	return nil
}

// TalkEnded reports that either side hung up a connected call. The agent
// goes to wrap-up (StartWrapup) for the queue's WrapUp, or straight on when
// the queue has none.
func (a *ACD) TalkEnded(callID string, by call.HangupBy) ([]Action, error) {
	a.begin()
	c, err := a.connectedCall(callID)
	if err != nil {
		return nil, err
	}
	a.endTalk(c, by, "")
	a.route()
	return a.finish(), nil
}

// Transfer records that the agent transferred a connected call (blind or
// attended) to target. For the ACD the agent's part is over: TalkEnded is
// emitted with Reason "transferred" and the agent goes to wrap-up. The call
// leaves the ACD; if the target is a queue the runtime enqueues it again.
func (a *ACD) Transfer(callID string, kind TransferKind, target string) ([]Action, error) {
	if kind != TransferBlind && kind != TransferAttended {
		return nil, fmt.Errorf("acd: transfer kind %q: %w", kind, ErrBadArgument)
	}
	a.begin()
	c, err := a.connectedCall(callID)
	if err != nil {
		return nil, err
	}
	a.emit(call.Event{
		Kind: call.Transferred, CallID: c.ID, Queue: c.Queue.Cfg.Name, Agent: c.Agent.Cfg.ID,
		TransferKind: string(kind), Target: target,
	})
	a.endTalk(c, call.HangupByAgent, action.ReasonTransferred)
	a.route()
	return a.finish(), nil
}

func (a *ACD) connectedCall(callID string) (*queuedCall, error) {
	c, err := a.callNamed(callID)
	if err != nil {
		return nil, err
	}
	if !c.Connected() {
		return nil, fmt.Errorf("acd: call %s: %w", callID, ErrNotConnected)
	}
	return c, nil
}

// endTalk closes the talk part of c and starts its agent's wrap-up.
func (a *ACD) endTalk(c *queuedCall, by call.HangupBy, reason string) {
	ag, q := c.Agent, c.Queue
	if ag.State == Hold {
		c.Held += a.now.Sub(c.HoldStart)
	}
	talk := a.now.Sub(c.AnsweredAt) - c.Held
	ag.TalkToday += talk
	ag.IdleSince = a.now
	delete(a.roster.Calls, c.ID)
	a.roster.RememberLastCall(ag, c.ID)
	ag.Wrap = roster.WrapUp{CallID: c.ID, Queue: q, Talk: talk, Hold: c.Held, Start: a.now}
	ag.Call = nil
	a.emit(call.Event{
		Kind: call.TalkEnded, CallID: c.ID, Queue: q.Cfg.Name, Agent: ag.Cfg.ID,
		HangupBy: by, Reason: reason,
	})
	a.mustTransition(ag, agentstate.EventHangup, "")
	if q.Cfg.WrapUp <= 0 {
		a.leaveWrapup(ag, agentstate.EventWrapupDone, "")
		return
	}
	until := a.now.Add(q.Cfg.WrapUp)
	a.timers.Arm(&ag.WrapTimer, until)
	a.do(StartWrapup{AgentID: ag.Cfg.ID, Until: until})
}

// leaveWrapup ends ag's wrap-up on e: the timer (then a pause or logout
// asked for during the call applies), or Ready, Pause or Logout from the
// agent, which supersede it.
func (a *ACD) leaveWrapup(ag *agent, e agentstate.Event, reason string) {
	a.timers.Disarm(&ag.WrapTimer)
	w := ag.Wrap
	acw := a.now.Sub(w.Start)
	w.Queue.Handle.Add(w.Talk + w.Hold + acw)
	a.emit(call.Event{Kind: call.WrapupEnded, CallID: w.CallID, Queue: w.Queue.Cfg.Name, Agent: ag.Cfg.ID})
	if e == agentstate.EventWrapupDone {
		switch ag.Pending {
		case roster.PendingPause:
			e, reason = agentstate.EventPause, ag.PendingReason
		case roster.PendingLogout:
			e, reason = agentstate.EventLogout, ""
		}
	}
	ag.Pending, ag.PendingReason = roster.PendingNone, ""
	a.mustTransition(ag, e, reason)
	if e == agentstate.EventLogout {
		a.afterLogout(ag)
	}
}

// SetDisposition classifies the agent's current call, or the last one it
// handled (typically during wrap-up). category is one of Categories.
func (a *ACD) SetDisposition(agentID, category string, resolved bool) error {
	if !slices.Contains(Categories, category) {
		return fmt.Errorf("acd: disposition category %q: %w", category, ErrBadArgument)
	}
	a.begin()
	ag, err := a.agentNamed(agentID)
	if err != nil {
		return err
	}
	switch {
	case ag.Call != nil && ag.Call.Connected():
		a.disposition(ag, ag.Call.ID, ag.Call.Queue, category, resolved)
	case ag.Wrap.CallID != "":
		a.disposition(ag, ag.Wrap.CallID, ag.Wrap.Queue, category, resolved)
	default:
		return fmt.Errorf("acd: disposition by agent %s: %w", agentID, ErrNoCall)
	}
	return nil
}

// SetCallDisposition classifies a call by its id: a connected call, or the
// last call of some agent.
func (a *ACD) SetCallDisposition(callID, category string, resolved bool) error {
	if !slices.Contains(Categories, category) {
		return fmt.Errorf("acd: disposition category %q: %w", category, ErrBadArgument)
	}
	a.begin()
	if c, ok := a.roster.Calls[callID]; ok && c.Connected() {
		a.disposition(c.Agent, c.ID, c.Queue, category, resolved)
		return nil
	}
	if ag, ok := a.roster.LastCallOf[callID]; ok {
		a.disposition(ag, callID, ag.Wrap.Queue, category, resolved)
		return nil
	}
	return fmt.Errorf("acd: disposition of call %s: %w", callID, ErrUnknownCall)
}

func (a *ACD) disposition(ag *agent, callID string, q *queue, category string, resolved bool) {
	a.emit(call.Event{
		Kind: call.DispositionSet, CallID: callID, Queue: q.Cfg.Name, Agent: ag.Cfg.ID,
		Category: category, Resolved: resolved,
	})
}
