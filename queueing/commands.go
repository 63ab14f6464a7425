package queueing

import (
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
)

// Command is one request to the ACD. Commands are plain data, so that a
// clustered implementation can carry them to wherever the ACD runs.
type Command interface {
	// Name is the command as logs show it.
	Name() string
	// CallID is the call the command concerns ("" for agent commands): if
	// the command breaks an invariant of the ACD, that call alone ends.
	CallID() string
	// Apply runs the command on the ACD, which the caller holds
	// exclusively.
	Apply(a *acd.ACD, env Env) ([]acd.Action, error)
}

// Env is what a command may consult or announce while it runs.
type Env struct {
	Phones  Phones
	Publish func(call.Event)
}

// Enqueue puts a call in a queue; with Prefer, the call waits up to Grace
// for that agent first (the sticky agent).
type Enqueue struct {
	Call, Queue, Caller string
	Priority            int
	Prefer              string
	Grace               time.Duration
}

func (c Enqueue) Name() string   { return "enqueue" }
func (c Enqueue) CallID() string { return c.Call }
func (c Enqueue) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	if c.Prefer != "" {
		return a.EnqueuePreferring(c.Call, c.Queue, c.Caller, c.Priority, c.Prefer, c.Grace)
	}
	return a.Enqueue(c.Call, c.Queue, c.Caller, c.Priority)
}

// Abandon takes a waiting call out of its queue (the caller hung up or
// pressed the exit digit). acd.ErrNotWaiting means an agent answered first.
type Abandon struct {
	Call   string
	Reason string // for the log: "caller hangup", "exit digit"…
}

func (c Abandon) Name() string   { return "abandon" }
func (c Abandon) CallID() string { return c.Call }
func (c Abandon) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.Abandon(c.Call)
}

// TalkEnded ends a connected call: the agent goes to wrap-up.
type TalkEnded struct {
	Call string
	By   call.HangupBy
}

func (c TalkEnded) Name() string   { return "talk ended" }
func (c TalkEnded) CallID() string { return c.Call }
func (c TalkEnded) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.TalkEnded(c.Call, c.By)
}

// Hold puts a connected call on hold, or takes it off.
type Hold struct {
	Call string
	Held bool
}

func (c Hold) Name() string {
	if c.Held {
		return "hold"
	}
	return "unhold"
}
func (c Hold) CallID() string { return c.Call }
func (c Hold) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	if c.Held {
		return nil, a.Hold(c.Call)
	}
	return nil, a.Unhold(c.Call)
}

// Transfer is an agent's blind transfer of a connected call to a target
// ("queue:name" or "ivr:node").
type Transfer struct {
	Call   string
	Kind   acd.TransferKind
	Target string
}

func (c Transfer) Name() string   { return "transfer" }
func (c Transfer) CallID() string { return c.Call }
func (c Transfer) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.Transfer(c.Call, c.Kind, c.Target)
}

// AttendedTransfer hands a connected call to the colleague an agent
// consulted.
type AttendedTransfer struct {
	Call, ToAgent, ConsultID string
}

func (c AttendedTransfer) Name() string   { return "attended transfer" }
func (c AttendedTransfer) CallID() string { return c.Call }
func (c AttendedTransfer) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.AttendedTransfer(c.Call, c.ToAgent, c.ConsultID)
}

// ConsultStart keeps an agent busy while a colleague consults them.
type ConsultStart struct{ Agent, ConsultID string }

func (c ConsultStart) Name() string   { return "consult start" }
func (c ConsultStart) CallID() string { return c.ConsultID }
func (c ConsultStart) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.ConsultStart(c.Agent, c.ConsultID)
}

// ConsultEnd frees a consulted agent.
type ConsultEnd struct{ Agent, ConsultID string }

func (c ConsultEnd) Name() string   { return "consult end" }
func (c ConsultEnd) CallID() string { return "" }
func (c ConsultEnd) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.ConsultEnd(c.Agent, c.ConsultID)
}

// RequestCallback turns a waiting call into a callback that keeps its
// place. Requested, the callback's own QueueRequested event, is announced
// only when the call can still be turned (else acd.ErrNotWaiting), before
// the ACD's events about the callback.
type RequestCallback struct {
	Call, CallbackID, Number string
	Policy                   acd.CallbackPolicy
	Requested                call.Event
}

func (c RequestCallback) Name() string   { return "request callback" }
func (c RequestCallback) CallID() string { return c.Call }
func (c RequestCallback) Apply(a *acd.ACD, env Env) ([]acd.Action, error) {
	if !a.CanCallback(c.Call) {
		return nil, acd.ErrNotWaiting
	}
	env.publish(c.Requested)
	return a.RequestCallback(c.Call, c.CallbackID, c.Number, c.Policy)
}

// RestoreCallback puts a callback saved before a restart back in its
// queue; Requested is announced first, as for RequestCallback.
type RestoreCallback struct {
	Callback  acd.RestoredCallback
	Policy    acd.CallbackPolicy
	Requested call.Event
}

func (c RestoreCallback) Name() string   { return "restore callback" }
func (c RestoreCallback) CallID() string { return "" }
func (c RestoreCallback) Apply(a *acd.ACD, env Env) ([]acd.Action, error) {
	env.publish(c.Requested)
	return a.RestoreCallback(c.Callback, c.Policy)
}

// CallbackAnswered: the customer answered the callback's dial-out.
type CallbackAnswered struct{ ID string }

func (c CallbackAnswered) Name() string   { return "callback answered" }
func (c CallbackAnswered) CallID() string { return "" }
func (c CallbackAnswered) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.CallbackAnswered(c.ID)
}

// CallbackFailed: one attempt of a callback failed with Outcome
// (acd.Callback* reasons); the ACD retries or gives up.
type CallbackFailed struct{ ID, Outcome string }

func (c CallbackFailed) Name() string   { return "callback failed" }
func (c CallbackFailed) CallID() string { return "" }
func (c CallbackFailed) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.CallbackFailed(c.ID, c.Outcome)
}

// DropCallback takes a pending callback out of its queue, if it is still
// there (the server stops, or its number was refused).
type DropCallback struct{ ID string }

func (c DropCallback) Name() string   { return "drop callback" }
func (c DropCallback) CallID() string { return "" }
func (c DropCallback) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	if _, ok := a.IsCallback(c.ID); !ok {
		return nil, nil
	}
	return a.Abandon(c.ID)
}

// AgentLogin logs an agent in, ready or (Paused) straight into a break
// with Reason, once its phone is known to be registered: the check runs
// in the same command, so a registration lost meanwhile is seen either
// here or by the logout that follows it.
type AgentLogin struct {
	Agent  string
	Paused bool
	Reason string
}

func (c AgentLogin) Name() string   { return "login" }
func (c AgentLogin) CallID() string { return "" }
func (c AgentLogin) Apply(a *acd.ACD, env Env) ([]acd.Action, error) {
	if _, err := a.Agent(c.Agent); err != nil {
		return nil, err
	}
	if env.Phones != nil && !env.Phones.Registered(c.Agent) {
		return nil, fmt.Errorf("agent %s cannot log in: %w: register the softphone, then log in", c.Agent, ErrNoPhone)
	}
	if c.Paused {
		return a.AgentLoginPaused(c.Agent, c.Reason)
	}
	return a.AgentLogin(c.Agent)
}

// AgentLogout logs an agent out.
type AgentLogout struct{ Agent string }

func (c AgentLogout) Name() string   { return "logout" }
func (c AgentLogout) CallID() string { return "" }
func (c AgentLogout) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.AgentLogout(c.Agent)
}

// AgentPause starts an agent's break with a reason.
type AgentPause struct{ Agent, Reason string }

func (c AgentPause) Name() string   { return "pause" }
func (c AgentPause) CallID() string { return "" }
func (c AgentPause) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.AgentPause(c.Agent, c.Reason)
}

// AgentReady makes an agent available.
type AgentReady struct{ Agent string }

func (c AgentReady) Name() string   { return "ready" }
func (c AgentReady) CallID() string { return "" }
func (c AgentReady) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.AgentReady(c.Agent)
}

// SetDisposition records the outcome of an agent's last call.
type SetDisposition struct {
	Agent, Category string
	Resolved        bool
}

func (c SetDisposition) Name() string   { return "disposition" }
func (c SetDisposition) CallID() string { return "" }
func (c SetDisposition) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return nil, a.SetDisposition(c.Agent, c.Category, c.Resolved)
}

// tick runs the ACD's due timers.
type tick struct{}

func (tick) Name() string   { return "tick" }
func (tick) CallID() string { return "" }
func (tick) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.Tick(), nil
}

func (e Env) publish(ev call.Event) {
	if e.Publish != nil && ev.Kind != 0 {
		e.Publish(ev)
	}
}

// MoveCall sends a waiting caller to another queue (a supervisor's
// command). The call's mailbox receives an Overflow to "queue:<To>".
type MoveCall struct {
	Call, To string
}

func (c MoveCall) Name() string   { return "move" }
func (c MoveCall) CallID() string { return c.Call }
func (c MoveCall) Apply(a *acd.ACD, _ Env) ([]acd.Action, error) {
	return a.MoveWaiting(c.Call, c.To)
}
