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
