package callbacks

import "time"

// Policy is a queue's retry and give-up policy for callbacks.
type Policy struct {
	MaxAttempts int           // dial-outs before giving up (at least 1)
	RetryAfter  time.Duration // pause after a failed attempt
	GiveUpAfter time.Duration // from the request
}

// Outcomes of a callback attempt: the Reason of call.CallbackAttempted.
// The event names no number (only CallbackRequested does, and event
// consumers mask it there).
const (
	Answered  = "answered"
	Busy      = "busy"
	NoAnswer  = "no_answer"
	Failed    = "failed"
	AgentLeft = "agent_hangup" // the agent hung up before the customer answered
	GaveUp    = "gave_up"
	// ReasonRequested: the caller left the line to be called back
	// (offers withdrawn for that reason carry it).
	ReasonRequested = "callback_requested"
	// ReasonGaveUp: the Reason of the Abandoned event of a callback
	// that never reached the customer.
	ReasonGaveUp = "callback_gave_up"
)

// IsFailure reports whether reason is an outcome a failed attempt may
// report: busy, no_answer, failed, or agent_hangup.
func IsFailure(reason string) bool {
	switch reason {
	case Busy, NoAnswer, Failed, AgentLeft:
		return true
	}
	return false
}

// Saved is a callback saved before a restart.
type Saved struct {
	CallbackID string
	Queue      string
	Caller     string // the inbound caller's number, for events
	Number     string // the number to call back
	Priority   int
	Queued     time.Time // when the caller first queued: their wait starts here
	GiveUpAt   time.Time
	Attempts   int
}

// State is one pending callback.
type State struct {
	Number    string
	Policy    Policy
	Attempts  int
	GiveUpAt  time.Time
	Dialing   bool // an agent answered; the customer is being dialled
	WaitRetry bool // waiting for the retry timer before routing again
}

// New is the state of a callback asked for at now.
func New(number string, p Policy, now time.Time) State {
	return State{Number: number, Policy: p, GiveUpAt: now.Add(p.GiveUpAfter)}
}

// Restored is the state of a saved callback under policy p.
func Restored(r Saved, p Policy) State {
	return State{Number: r.Number, Policy: p, Attempts: r.Attempts, GiveUpAt: r.GiveUpAt}
}

// Exhausted reports whether the callback has used its attempts or its
// time by now.
func (s *State) Exhausted(now time.Time) bool {
	return s.Attempts >= s.Policy.MaxAttempts || !now.Before(s.GiveUpAt)
}

// Answered ends the attempt in progress with the customer on the line.
func (s *State) Answered() {
	s.Dialing = false
	s.Attempts++
}

// EndAttempt ends the attempt in progress without reaching the customer;
// an agent hanging up first does not count as an attempt.
func (s *State) EndAttempt(reason string) {
	s.Dialing = false
	if reason != AgentLeft {
		s.Attempts++
	}
}

// Retry says, after a failed attempt, when to route the callback again;
// giveUp is true when no attempt is left or the retry would come too late.
func (s *State) Retry(now time.Time) (at time.Time, giveUp bool) {
	next := now.Add(s.Policy.RetryAfter)
	if s.Attempts >= s.Policy.MaxAttempts || !next.Before(s.GiveUpAt) {
		return time.Time{}, true
	}
	s.WaitRetry = true
	return next, false
}

// Due is what the callback's timer means when it fires.
type Due uint8

// What a fired timer means.
const (
	DueNothing Due = iota // an attempt is in progress: its outcome decides
	DueRetry              // the retry pause is over: route it again
	DueGiveUp             // its time is up
)

// Fired tells what the callback's timer firing at now means.
func (s *State) Fired(now time.Time) Due {
	switch {
	case s.Dialing:
		return DueNothing
	case s.WaitRetry && now.Before(s.GiveUpAt):
		s.WaitRetry = false
		return DueRetry
	}
	return DueGiveUp
}
