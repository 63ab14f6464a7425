package sip

import (
	"sync"

	"github.com/hotline-oss/hotline/call"
)

// ending records, once, that a leg ended: who ended it and why. Both the
// caller's Call and the AgentLeg embed it.
type ending struct {
	endMu    sync.Mutex
	endOnce  sync.Once
	ended    chan struct{}
	hangupBy call.HangupBy
	reason   string
}

func newEnding() ending { return ending{ended: make(chan struct{})} }

// end marks the leg ended by who for reason; it reports whether this call
// did it (the first one wins).
func (e *ending) end(who call.HangupBy, reason string) bool {
	first := false
	e.endOnce.Do(func() {
		e.endMu.Lock()
		e.hangupBy, e.reason = who, reason
		e.endMu.Unlock()
		close(e.ended)
		first = true
	})
	return first
}

// Done is closed when the leg has ended, from either side or by RTP
// inactivity.
func (e *ending) Done() <-chan struct{} { return e.ended }

// HangupBy says who ended the leg; valid once Done is closed.
func (e *ending) HangupBy() call.HangupBy {
	e.endMu.Lock()
	defer e.endMu.Unlock()
	return e.hangupBy
}

// EndReason says why the leg ended: "bye" (the other side hung up),
// "rtp_timeout", "dialog_ended" (the SIP dialog failed), "no_ack" (our 200
// OK was never acknowledged), ReasonShutdown (the shutdown grace ran out)
// or "server" (our side hung up); valid once Done is closed.
func (e *ending) EndReason() string {
	e.endMu.Lock()
	defer e.endMu.Unlock()
	return e.reason
}
