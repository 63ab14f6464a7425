// Package callbacks is the ACD's book of callbacks (virtual hold): the
// policy a queue gives them, what each pending callback has used of it,
// the outcomes of an attempt, and the form a callback is saved in to
// outlive a restart.
//
// A callback is a waiting call whose caller hung up after asking to be
// called back. It keeps its place: same priority, same arrival order, so
// routing treats it like any other waiter. When an agent answers its offer
// the agent is connected first, then the runtime dials the customer and
// reports the outcome. Only an answer makes the call answered (with the
// wait counted from when it first queued); a failed attempt puts the call
// back in its place after RetryAfter, and after MaxAttempts or GiveUpAfter
// the call leaves the queue as abandoned with ReasonGaveUp.
//
// It owns each callback's own state and the rules on it: when to retry and
// when to give up. It must not hold queues or agents, route, emit events or
// read the clock: the ACD (package acd) keeps the callback in its queue,
// arms its timer, passes the time in and does what the answers say.
package callbacks
