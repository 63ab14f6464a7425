package roster

import "github.com/hotline-oss/hotline/acd/timerheap"

// TimerKind says what a due timer means.
type TimerKind uint8

// Timer kinds.
const (
	TimerRing     TimerKind = iota + 1 // an offer rang for the queue's RingTimeout
	TimerMaxWait                       // a caller waited the queue's MaxWait
	TimerAnnounce                      // a caller is due a position announcement
	TimerWrapup                        // an agent's wrap-up time ran out
	TimerBackoff                       // an agent's busy backoff ended
	TimerSticky                        // a caller's wait for their preferred agent ran out
	TimerCallback                      // a callback's retry pause or give-up time ran out
)

// Timer lives inside the call or agent it belongs to (package timerheap
// keeps them in due order).
type Timer = timerheap.Timer[TimerOf]

// TimerOf is what a timer is about.
type TimerOf struct {
	Kind  TimerKind
	Call  *Call
	Agent *Agent
}

// CallTimer is a timer of kind k about c.
func CallTimer(k TimerKind, c *Call) Timer { return Timer{P: TimerOf{Kind: k, Call: c}} }

// AgentTimer is a timer of kind k about ag.
func AgentTimer(k TimerKind, ag *Agent) Timer { return Timer{P: TimerOf{Kind: k, Agent: ag}} }
