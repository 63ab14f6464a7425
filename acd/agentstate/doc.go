// Package agentstate is the agent state machine of the ACD: the states an
// agent passes through (logged out, available, paused, ringing, talking,
// hold, wrap-up), the events that move it, and Transition, the whole table
// of legal moves, one function per state.
//
// It owns the table only. It must not hold agents, read the clock or
// emit events: the ACD keeps each agent's state, applies Transition and
// reports the change.
//
// # The states
//
//	LoggedOut → Available ⇄ Paused(reason)
//	Available → Ringing → Talking ⇄ Hold → Wrapup → Available
//	Ringing → Available (no answer) or Paused("no_answer") after
//	          QueueConfig.AutoPauseAfter consecutive no-answers
//
// The ACD emits call.AgentStateChanged for every change, with PrevState,
// State and Reason, stamped with its clock, so time in each state can be
// derived. It defers a logout or pause asked for while Talking or on Hold
// until the call's wrap-up ends, so the agent can still classify the call;
// one asked for while Ringing withdraws the offer without counting it as a
// no-answer.
package agentstate
