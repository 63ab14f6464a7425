// Package roster is the ACD's books of what it holds: the queues with their
// waiting and ready lists, the agents with their state, memberships and
// day's counters, the calls from joining a queue until their talk ends, and
// the timers that live inside them. Beside the books it keeps the
// bookkeeping that follows from a change — a queue's count of agents in
// each state, which agents a queue's strategy holds, who qualifies for
// which queue — and reads them out as views (package view's values).
//
// It must not decide: whom to offer a call, when a caller overflows, which
// state an agent moves to, when a timer fires. Those are the engine's
// (package acd), which also emits every event and returns every action.
// Like the engine it reads no clock (the time is passed in), starts no
// goroutine and does no I/O.
package roster
