package roster

import (
	"time"

	"github.com/hotline-oss/hotline/acd/acdconfig"
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/acd/view"
	"github.com/hotline-oss/hotline/call"
)

// Agent is a configured agent and its live state.
type Agent struct {
	Cfg    acdconfig.AgentConfig
	State  agentstate.State
	Since  time.Time
	Reason string // pause reason while Paused

	Pending       Pending // what to do once the current call's wrap-up ends
	PendingReason string  // pause reason for PendingPause

	Member   []Membership // queues the agent is eligible for, in config order
	Routable bool         // held by the strategies of those queues

	Call    *Call  // ringing for or connected to
	Consult string // the internal consult call keeping the agent busy, if any
	Wrap    WrapUp // the call in wrap-up, then the last call

	IdleSince    time.Time
	CallsToday   int
	TalkToday    time.Duration
	NoAnswers    int // consecutive
	BackoffUntil time.Time

	WrapTimer, BackoffTimer Timer

	Removed bool // removed by a reload; forgotten once logged out
}

// NewAgent is a logged-out agent as of now, in no queue yet.
func NewAgent(cfg acdconfig.AgentConfig, now time.Time) *Agent {
	ag := &Agent{Cfg: cfg, State: agentstate.LoggedOut, Since: now}
	ag.WrapTimer = AgentTimer(TimerWrapup, ag)
	ag.BackoffTimer = AgentTimer(TimerBackoff, ag)
	return ag
}

// Membership is an agent's place in one queue: the candidate that queue's
// strategy holds while the agent is routable.
type Membership struct {
	Q    *Queue
	Cand strategy.Candidate
}

// WrapUp is what the ACD remembers of an agent's last call.
type WrapUp struct {
	CallID string
	Queue  *Queue
	Talk   time.Duration
	Hold   time.Duration
	Start  time.Time // when talk ended
}

// Pending is a logout or pause asked for during a call, applied when its
// wrap-up ends.
type Pending uint8

// What is pending.
const (
	PendingNone Pending = iota
	PendingPause
	PendingLogout
)

func (p Pending) String() string {
	switch p {
	case PendingPause:
		return "pause"
	case PendingLogout:
		return "logout"
	}
	return ""
}

// Info is the agent's view at now.
func (ag *Agent) Info(now time.Time) view.AgentInfo {
	info := view.AgentInfo{
		ID: ag.Cfg.ID, Name: ag.Cfg.Name, WorkNumber: ag.Cfg.WorkNumber,
		State: ag.State, Since: ag.Since, Reason: ag.Reason, Pending: ag.Pending.String(),
		CallsToday: ag.CallsToday, TalkToday: ag.TalkToday,
	}
	if ag.BackoffUntil.After(now) {
		info.BackoffUntil = ag.BackoffUntil
	}
	switch {
	case ag.Call != nil:
		info.CallID, info.Queue = ag.Call.ID, ag.Call.Queue.Cfg.Name
	case ag.State == agentstate.Wrapup:
		info.CallID, info.Queue = ag.Wrap.CallID, ag.Wrap.Queue.Cfg.Name
	}
	for _, m := range ag.Member {
		info.Queues = append(info.Queues, m.Q.Cfg.Name)
	}
	return info
}

// StateChanged is the event of ag's move from prev to its state now, with
// the call it concerns: the one it rings for or talks on, or the one in
// wrap-up.
func (ag *Agent) StateChanged(prev agentstate.State, reason string) call.Event {
	e := call.Event{
		Kind: call.AgentStateChanged, Agent: ag.Cfg.ID,
		PrevState: prev.String(), State: ag.State.String(), Reason: reason,
	}
	switch {
	case ag.Call != nil:
		e.CallID, e.Queue = ag.Call.ID, ag.Call.Queue.Cfg.Name
	case ag.State == agentstate.Wrapup:
		e.CallID, e.Queue = ag.Wrap.CallID, ag.Wrap.Queue.Cfg.Name
	}
	return e
}
