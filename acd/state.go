package acd

import "github.com/hotline-oss/hotline/acd/agentstate"

// The agent state machine lives in package agentstate; the ACD speaks it
// under these names, which its API and events have always used.

// State is an agent's state.
type State = agentstate.State

// Agent states. The strings match the metrics' state label.
const (
	LoggedOut = agentstate.LoggedOut
	Available = agentstate.Available
	Paused    = agentstate.Paused
	Ringing   = agentstate.Ringing
	Talking   = agentstate.Talking
	Hold      = agentstate.Hold
	Wrapup    = agentstate.Wrapup
)

// States lists every State in order, for collectors that pre-create series.
var States = agentstate.States

// AgentEvent is what moves an agent from one State to another.
type AgentEvent = agentstate.Event

// Agent events.
const (
	EventLogin      = agentstate.EventLogin
	EventLogout     = agentstate.EventLogout
	EventPause      = agentstate.EventPause
	EventReady      = agentstate.EventReady
	EventOffer      = agentstate.EventOffer
	EventAnswer     = agentstate.EventAnswer
	EventNoAnswer   = agentstate.EventNoAnswer
	EventCancel     = agentstate.EventCancel
	EventHold       = agentstate.EventHold
	EventUnhold     = agentstate.EventUnhold
	EventHangup     = agentstate.EventHangup
	EventWrapupDone = agentstate.EventWrapupDone
	EventConsult    = agentstate.EventConsult
	EventConsultEnd = agentstate.EventConsultEnd
)

// Transition returns the state e leads to from s, or an error wrapping
// ErrInvalidTransition.
func Transition(s State, e AgentEvent) (State, error) { return agentstate.Transition(s, e) }
