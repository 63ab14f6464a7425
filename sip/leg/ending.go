package leg

import (
	"sync"

	"github.com/hotline-oss/hotline/call"
)

// Ending records, once, that a leg ended: who ended it and why. The
// caller's call (package sip) and the outbound Leg both keep one.
type Ending struct {
	endMu    sync.Mutex
	endOnce  sync.Once
	ended    chan struct{}
	hangupBy call.HangupBy
	reason   string
}

// NewEnding is a leg not ended yet.
func NewEnding() Ending { return Ending{ended: make(chan struct{})} }

// End marks the leg ended by who for reason; it reports whether this call
// did it (the first one wins).
func (e *Ending) End(who call.HangupBy, reason string) bool {
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
func (e *Ending) Done() <-chan struct{} { return e.ended }

// HangupBy says who ended the leg; valid once Done is closed.
func (e *Ending) HangupBy() call.HangupBy {
	e.endMu.Lock()
	defer e.endMu.Unlock()
	return e.hangupBy
}

// EndReason says why the leg ended: "bye" (the other side hung up),
// "rtp_timeout", "dialog_ended" (the SIP dialog failed), "no_ack" (our 200
// OK was never acknowledged), "server_shutdown" (the shutdown grace ran out)
// or "server" (our side hung up); valid once Done is closed.
func (e *Ending) EndReason() string {
	e.endMu.Lock()
	defer e.endMu.Unlock()
	return e.reason
}
