// Package agentstate is the agent state machine of the ACD: the states an
// agent passes through (logged out, available, paused, ringing, talking,
// hold, wrap-up), the events that move it, and Transition, the whole table
// of legal moves, one function per state.
//
// It owns the table only. It must not hold agents, read the clock or
// emit events: the ACD keeps each agent's state, applies Transition and
// reports the change.
package agentstate
