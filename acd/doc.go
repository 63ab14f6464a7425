// Package acd is the automatic call distributor: queues, agents, skills,
// routing, wrap-up and overflow. It is the engine: it makes every
// decision. What it decides on lives beside it: its books of queues,
// agents and calls in acd/roster, of callbacks in acd/callbacks and of
// sticky waits in acd/sticky; the routing strategies in acd/strategy, the
// agent state machine in acd/agentstate, the configuration in
// acd/acdconfig, the read side in acd/view and the actions in acd/action.
// acd keeps the names other packages use for them (Config, QueueConfig,
// State and the states, the actions, QueueStats, CallbackPolicy, …) as
// aliases.
//
// It is pure logic. It owns no sockets, goroutines or clocks: the runtime
// serialises every call into an *ACD (one mutex is enough), carries out the
// Actions each command returns, in order, and arms one timer for
// NextDeadline, calling Tick when it fires. Events describing each step are
// handed synchronously, in order, to the observer given with WithObserver.
//
// What it must not do: read the clock other than through the injected
// Clock (once per command), start a goroutine or a timer, do I/O or log,
// block, or import anything of this repository but the call events and
// its own sub-packages. It
// decides; ringing phones, playing prompts and writing records are the
// runtime's job, driven by the Actions.
//
// # Routing
//
// Whenever something changes (a call joins, an agent becomes available, an
// offer fails, a timer fires) the ACD matches waiting calls to agents. Each
// queue serves its calls strictly by priority (higher first) and, within a
// priority, by arrival. An agent is eligible for a queue when it is
// Available, a member of the queue, has the queue's required skills and is
// not backing off after a busy or declined offer. When an agent serves
// several queues with waiting calls, the call with the highest priority
// wins, and among equal priorities the one that has waited longest.
//
// After a failed offer the call prefers agents that have not yet failed it;
// once every eligible agent has failed it, the list starts over. So a single
// idle agent who misses a call is rung again rather than leaving the caller
// stranded, while a crowd of idle agents is worked through in strategy order.
//
// Indexes keep each decision cheap: every queue keeps its waiting calls in
// an order-statistics tree (head, position and oldest wait in O(log n)) and
// its eligible agents inside its Strategy, so a routing decision never scans
// all callers or all agents.
//
// Agent states, their moves and how the ACD applies them are drawn in
// package agentstate's comment.
package acd
