package agentstate

import (
	"errors"
	"fmt"
)

// ErrInvalidTransition: the agent's state does not allow the event. The
// ACD reports it as its own ErrInvalidTransition.
var ErrInvalidTransition = errors.New("invalid agent state transition")

// State is an agent's state.
type State uint8

// Agent states. The strings match the metrics' state label.
const (
	LoggedOut State = iota
	Available
	Paused
	Ringing
	Talking
	Hold
	Wrapup
	// NumStates is how many states there are, to size tables indexed by State.
	NumStates
)

// States lists every State in order, for collectors that pre-create series.
var States = []State{LoggedOut, Available, Paused, Ringing, Talking, Hold, Wrapup}

var stateNames = [...]string{
	LoggedOut: "logged_out",
	Available: "available",
	Paused:    "paused",
	Ringing:   "ringing",
	Talking:   "talking",
	Hold:      "hold",
	Wrapup:    "wrapup",
}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// OnCall says whether the agent is connected to a caller.
func (s State) OnCall() bool { return s == Talking || s == Hold }

// Event is what moves an agent from one State to another.
type Event uint8

// Agent events.
const (
	EventLogin Event = iota + 1
	EventLogout
	EventPause
	EventReady
	EventOffer      // a call rings the agent
	EventAnswer     // the agent picked up
	EventNoAnswer   // the offer failed or timed out
	EventCancel     // the offer was withdrawn (caller left, answered elsewhere)
	EventHold       // caller put on hold
	EventUnhold     // caller taken back
	EventHangup     // talk ended, by either side or by a transfer
	EventWrapupDone // wrap-up time ran out
	EventConsult    // an internal consult call from another agent rings or connects
	EventConsultEnd // the consult call ended without a transfer to this agent
)

var eventNames = [...]string{
	EventLogin:      "login",
	EventLogout:     "logout",
	EventPause:      "pause",
	EventReady:      "ready",
	EventOffer:      "offer",
	EventAnswer:     "answer",
	EventNoAnswer:   "no_answer",
	EventCancel:     "cancel",
	EventHold:       "hold",
	EventUnhold:     "unhold",
	EventHangup:     "hangup",
	EventWrapupDone: "wrapup_done",
	EventConsult:    "consult",
	EventConsultEnd: "consult_end",
}

func (e Event) String() string {
	if int(e) < len(eventNames) && eventNames[e] != "" {
		return eventNames[e]
	}
	return "unknown"
}

// Transition returns the state an agent in s moves to on e, or an error
// wrapping ErrInvalidTransition. It is the whole legal-transition table;
// deferred logouts and pauses are handled by the commands before they ask.
func Transition(s State, e Event) (State, error) {
	next, ok := transitionFrom(s, e)
	if !ok {
		return s, fmt.Errorf("%w: %s while %s", ErrInvalidTransition, e, s)
	}
	return next, nil
}

func transitionFrom(s State, e Event) (State, bool) {
	switch s {
	case LoggedOut:
		return fromLoggedOut(e)
	case Available:
		return fromAvailable(e)
	case Paused:
		return fromPaused(e)
	case Ringing:
		return fromRinging(e)
	case Talking:
		return fromTalking(e)
	case Hold:
		return fromHold(e)
	case Wrapup:
		return fromWrapup(e)
	}
	return s, false
}

func fromLoggedOut(e Event) (State, bool) {
	if e == EventLogin {
		return Available, true
	}
	return LoggedOut, false
}

func fromAvailable(e Event) (State, bool) {
	switch e {
	case EventOffer:
		return Ringing, true
	case EventPause:
		return Paused, true
	case EventLogout:
		return LoggedOut, true
	case EventConsult:
		return Talking, true
	}
	return Available, false
}

func fromPaused(e Event) (State, bool) {
	switch e {
	case EventReady:
		return Available, true
	case EventPause: // a new reason
		return Paused, true
	case EventLogout:
		return LoggedOut, true
	}
	return Paused, false
}

func fromRinging(e Event) (State, bool) {
	switch e {
	case EventAnswer:
		return Talking, true
	case EventNoAnswer, EventCancel:
		return Available, true
	case EventPause: // auto-pause after no answer, or the agent's own pause
		return Paused, true
	case EventLogout:
		return LoggedOut, true
	}
	return Ringing, false
}

func fromTalking(e Event) (State, bool) {
	switch e {
	case EventHold:
		return Hold, true
	case EventHangup:
		return Wrapup, true
	case EventConsultEnd:
		return Available, true
	}
	return Talking, false
}

func fromHold(e Event) (State, bool) {
	switch e {
	case EventUnhold:
		return Talking, true
	case EventHangup:
		return Wrapup, true
	}
	return Hold, false
}

func fromWrapup(e Event) (State, bool) {
	switch e {
	case EventWrapupDone, EventReady:
		return Available, true
	case EventPause:
		return Paused, true
	case EventLogout:
		return LoggedOut, true
	}
	return Wrapup, false
}
