package interp

import (
	"time"

	"github.com/hotline-oss/hotline/ivr"
)

// Event is something that happened on the call, fed to Session.Handle.
type Event interface{ isEvent() }

// Digit is one key press (0-9, * or #), from RFC 4733, SIP INFO or in-band.
type Digit struct{ D rune }

// PlaybackDone says the last Play finished naturally; a stopped or replaced
// playback must not report it.
type PlaybackDone struct{}

// TimerFired says the timer started by StartTimer with this ID ran out.
// Stale IDs are ignored, so the driver need not cancel timers perfectly.
type TimerFired struct{ ID uint64 }

// CallerHangup says the caller went away; the session ends without actions.
type CallerHangup struct{}

func (Digit) isEvent()        {}
func (PlaybackDone) isEvent() {}
func (TimerFired) isEvent()   {}
func (CallerHangup) isEvent() {}

// Action is something the driver must do on the call, in order.
type Action interface{ isAction() }

// Play starts playing prompts back to back, replacing any current playback.
// With BargeIn a key press is expected to interrupt it.
type Play struct {
	Prompts []ivr.PromptRef
	BargeIn bool
}

// StopPlayback silences the current playback without a PlaybackDone.
type StopPlayback struct{}

// StartTimer starts a timer; when it runs out, send TimerFired{ID}. Only the
// newest timer is live: older ones become stale.
type StartTimer struct {
	ID    uint64
	After time.Duration
}

// NodeEntered reports progress through the flow, for events and metrics.
type NodeEntered struct {
	Flow string
	Node string
	Type string
}

// SetLanguage tells the call which language the caller chose.
type SetLanguage struct{ Lang string }

// EnterQueue hands the call to the ACD. Terminal: the session is done.
type EnterQueue struct {
	Queue    string
	Priority int
}

// Hangup ends the call. Terminal. Any goodbye prompts have already finished
// playing when it is emitted.
type Hangup struct {
	SelfService bool   // the caller completed a self-service path (containment)
	Reason      string // one of the Reason constants
}

func (Play) isAction()         {}
func (StopPlayback) isAction() {}
func (StartTimer) isAction()   {}
func (NodeEntered) isAction()  {}
func (SetLanguage) isAction()  {}
func (EnterQueue) isAction()   {}
func (Hangup) isAction()       {}

// Reasons a session ends with Hangup (and, from Run, why it stopped).
const (
	ReasonCompleted    = "completed"     // a hangup node was reached
	ReasonSilence      = "silence"       // the caller stayed silent past the retries
	ReasonRetries      = "retries"       // too many wrong entries and no on_fail node
	ReasonLoop         = "loop"          // nodes kept jumping without waiting for the caller
	ReasonBrokenFlow   = "broken flow"   // a reference Validate should have caught
	ReasonCallerHangup = "caller hangup" // Run only
	ReasonCancelled    = "cancelled"     // Run only: the context ended
)
