package acd

import (
	"fmt"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/callbacks"
	"github.com/hotline-oss/hotline/acd/roster"
	"github.com/hotline-oss/hotline/call"
)

// The callback book (policy, outcomes, each callback's state and the saved
// form) is package callbacks; the ACD's API keeps its names for them.
type (
	CallbackPolicy   = callbacks.Policy
	RestoredCallback = callbacks.Saved
)

// Outcomes of a failed callback attempt.
const (
	CallbackBusy         = callbacks.Busy
	CallbackNoAnswer     = callbacks.NoAnswer
	CallbackFailedReason = callbacks.Failed
	CallbackAgentLeft    = callbacks.AgentLeft
)

// RequestCallback turns the waiting call callID into a callback under the
// new id callbackID (the callback is its own call, with its own record).
// Agents ringing for it are cancelled; it stays in its place in the queue.
// number is the (already vetted) number to call back.
func (a *ACD) RequestCallback(callID, callbackID, number string, p CallbackPolicy) ([]Action, error) {
	if p.MaxAttempts < 1 || p.RetryAfter <= 0 || p.GiveUpAfter <= 0 || number == "" || callbackID == "" {
		return nil, fmt.Errorf("acd: callback for %s: %w", callID, ErrBadArgument)
	}
	a.begin()
	c, err := a.callNamed(callID)
	if err != nil {
		return nil, err
	}
	if c.Connected() || c.Callback != nil {
		return nil, fmt.Errorf("acd: callback for %s: %w", callID, ErrNotWaiting)
	}
	if _, dup := a.roster.Calls[callbackID]; dup {
		return nil, fmt.Errorf("acd: callback %s: %w", callbackID, ErrDuplicateCall)
	}
	q := c.Queue
	a.emit(call.Event{
		Kind: call.CallbackRequested, CallID: c.ID, Caller: c.Caller, Queue: q.Cfg.Name,
		Priority: c.Priority, Target: number, Wait: a.now.Sub(c.Joined),
	})
	a.timers.Disarm(&c.RingTimer)
	a.withdrawAll(c, nil, callbacks.ReasonRequested)
	a.leaveQueue(c)
	c.Overdue = false
	delete(a.roster.Calls, c.ID)
	c.ID = callbackID
	c.Callback = &roster.Callback{State: callbacks.New(number, p, a.now), Timer: roster.CallTimer(roster.TimerCallback, c)}
	a.roster.Calls[c.ID] = c
	// The same node, priority and sequence: the same place in the queue.
	q.Waiting.Insert(&c.WaitNode)
	a.makeReady(c)
	a.timers.Arm(&c.Callback.Timer, c.Callback.GiveUpAt)
	a.route()
	return a.finish(), nil
}

// callbackTaken handles an agent answering a callback's offer: the agent
// is busy with it (Talking) but the call is not answered yet; the runtime
// gets Connect and dials the customer.
func (a *ACD) callbackTaken(c *queuedCall, ag *agent) {
	a.withdrawAll(c, ag, action.ReasonAnsweredElsewhere)
	a.leaveQueue(c)
	c.Agent = ag
	c.Callback.Dialing = true
	ag.NoAnswers = 0
	a.mustTransition(ag, agentstate.EventAnswer, "")
	a.do(Connect{CallID: c.ID, AgentID: ag.Cfg.ID, WorkNumber: ag.Cfg.WorkNumber})
	a.route()
}

// CallbackAnswered reports that the customer answered the dial-out: the
// call is answered now, with the whole wait since it first queued.
func (a *ACD) CallbackAnswered(callbackID string) ([]Action, error) {
	a.begin()
	c, err := a.dialingCallback(callbackID)
	if err != nil {
		return nil, err
	}
	ag, q := c.Agent, c.Queue
	c.Callback.Answered()
	a.timers.Disarm(&c.Callback.Timer)
	a.emit(call.Event{
		Kind: call.CallbackAttempted, CallID: c.ID, Caller: c.Caller, Queue: q.Cfg.Name,
		Agent: ag.Cfg.ID, Reason: callbacks.Answered,
	})
	c.AnsweredAt = a.now
	ag.CallsToday++
	a.emit(call.Event{
		Kind: call.AgentAnswered, CallID: c.ID, Caller: c.Caller, Queue: q.Cfg.Name,
		Priority: c.Priority, Agent: ag.Cfg.ID, Wait: a.now.Sub(c.Joined),
	})
	return a.finish(), nil
}

// CallbackFailed reports that an attempt did not reach the customer (busy,
// no_answer, failed) or that the agent hung up first (agent_hangup, which
// does not count as an attempt). The agent is available again at once, no
// wrap-up; the call waits RetryAfter in its old place, or gives up.
func (a *ACD) CallbackFailed(callbackID, reason string) ([]Action, error) {
	if !callbacks.IsFailure(reason) {
		return nil, fmt.Errorf("acd: callback outcome %q: %w", reason, ErrBadArgument)
	}
	a.begin()
	c, err := a.dialingCallback(callbackID)
	if err != nil {
		return nil, err
	}
	ag, q := c.Agent, c.Queue
	c.Callback.EndAttempt(reason)
	a.emit(call.Event{
		Kind: call.CallbackAttempted, CallID: c.ID, Caller: c.Caller, Queue: q.Cfg.Name,
		Agent: ag.Cfg.ID, Reason: reason,
	})
	c.Agent = nil
	ag.Call = nil
	a.releaseCallbackAgent(ag)
	if next, giveUp := c.Callback.Retry(a.now); giveUp {
		a.giveUpCallback(c)
	} else {
		q.Waiting.Insert(&c.WaitNode)
		a.timers.Arm(&c.Callback.Timer, next)
		a.markDirty(q)
	}
	a.route()
	return a.finish(), nil
}

// releaseCallbackAgent frees an agent whose callback never connected,
// applying a pause or logout asked for meanwhile.
func (a *ACD) releaseCallbackAgent(ag *agent) {
	ag.IdleSince = a.now
	a.freeWithoutWrapup(ag, callbacks.ReasonRequested)
}

func (a *ACD) dialingCallback(id string) (*queuedCall, error) {
	c, err := a.callNamed(id)
	if err != nil {
		return nil, err
	}
	if c.Callback == nil || !c.Callback.Dialing {
		return nil, fmt.Errorf("acd: call %s: %w (no callback being dialled)", id, ErrNotConnected)
	}
	return c, nil
}

// callbackTimer fires for a callback's retry pause or its give-up time.
func (a *ACD) callbackTimer(c *queuedCall) {
	switch c.Callback.Fired(a.now) {
	case callbacks.DueRetry:
		a.makeReady(c)
		a.timers.Arm(&c.Callback.Timer, c.Callback.GiveUpAt)
	case callbacks.DueGiveUp:
		a.giveUpCallback(c)
	} // DueNothing: the attempt in progress decides; CallbackFailed checks the time
}

// giveUpCallback ends a callback that never reached the customer. It
// counts as abandoned: the customer was not served.
func (a *ACD) giveUpCallback(c *queuedCall) {
	q := c.Queue
	a.timers.Disarm(&c.RingTimer)
	a.withdrawAll(c, nil, callbacks.ReasonGaveUp)
	a.leaveQueue(c)
	a.timers.Disarm(&c.Callback.Timer)
	delete(a.roster.Calls, c.ID)
	a.emit(call.Event{
		Kind: call.CallbackAttempted, CallID: c.ID, Caller: c.Caller, Queue: q.Cfg.Name,
		Reason: callbacks.GaveUp,
	})
	a.emit(call.Event{
		Kind: call.Abandoned, CallID: c.ID, Caller: c.Caller, Queue: q.Cfg.Name,
		Priority: c.Priority, Wait: a.now.Sub(c.Joined), HangupBy: call.HangupByServer,
		Reason: callbacks.ReasonGaveUp,
	})
	a.do(Leave{CallID: c.ID, Reason: callbacks.ReasonGaveUp})
}

// IsCallback reports whether id is a pending callback, and its number.
func (a *ACD) IsCallback(id string) (number string, ok bool) {
	c := a.roster.Calls[id]
	if c == nil || c.Callback == nil {
		return "", false
	}
	return c.Callback.Number, true
}

// CallbacksPending counts the callbacks each queue holds (waiting, in
// their retry pause or being dialled).
func (a *ACD) CallbacksPending() map[string]int { return a.roster.CallbacksPending() }

// CanCallback reports whether callID is waiting in a queue and may still
// become a callback (it is not connected and not a callback already).
func (a *ACD) CanCallback(callID string) bool {
	c := a.roster.Calls[callID]
	return c != nil && !c.Connected() && c.Callback == nil
}

// RestoreCallback puts a saved callback back in its queue. Restore them in
// the order they first queued: that order is their place among each other
// (callers who queued since the restart come after them all). No Queued
// event: the call was offered before the restart.
func (a *ACD) RestoreCallback(r RestoredCallback, p CallbackPolicy) ([]Action, error) {
	if p.MaxAttempts < 1 || p.RetryAfter <= 0 || r.Number == "" || r.CallbackID == "" {
		return nil, fmt.Errorf("acd: restore callback %s: %w", r.CallbackID, ErrBadArgument)
	}
	a.begin()
	q, err := a.queueNamed(r.Queue)
	if err != nil {
		return nil, err
	}
	if _, dup := a.roster.Calls[r.CallbackID]; dup {
		return nil, fmt.Errorf("acd: restore callback %s: %w", r.CallbackID, ErrDuplicateCall)
	}
	c := a.newCall(r.CallbackID, r.Caller, r.Priority, q, r.Queued)
	c.Callback = &roster.Callback{State: callbacks.Restored(r, p), Timer: roster.CallTimer(roster.TimerCallback, c)}
	if c.Callback.Exhausted(a.now) {
		a.giveUpCallback(c)
		return a.finish(), nil
	}
	a.makeReady(c)
	a.timers.Arm(&c.Callback.Timer, r.GiveUpAt)
	a.route()
	return a.finish(), nil
}

// CallbackState is what must be saved of a pending callback to restore it.
func (a *ACD) CallbackState(id string) (RestoredCallback, bool) {
	c := a.roster.Calls[id]
	if c == nil || c.Callback == nil {
		return RestoredCallback{}, false
	}
	return c.SavedCallback(), true
}
