package tickets

import (
	"errors"
	"fmt"
	"slices"
)

// State is where a ticket is in its life.
type State string

const (
	Open          State = "open"           // registered, nobody owns it yet
	Assigned      State = "assigned"       // an owner follows it
	Answered      State = "answered"       // the owner answered the customer
	Closed        State = "closed"         // done; a return visit may follow
	ReturnVisited State = "return_visited" // the customer said it is resolved
	Reopened      State = "reopened"       // not resolved after all: followed again
)

// States lists every state, in the order of a ticket's life.
var States = []State{Open, Assigned, Answered, Closed, ReturnVisited, Reopened}

// Action is a change asked of a ticket.
type Action string

const (
	ActAssign      Action = "assign"       // take or give ownership (owner required)
	ActAnswer      Action = "answer"       // the owner answered the customer (note required)
	ActClose       Action = "close"        // the matter is settled
	ActReturnVisit Action = "return_visit" // the customer's verdict (satisfaction, resolved)
	ActReopen      Action = "reopen"       // followed again
	ActNote        Action = "note"         // a note, no change of state
	ActCreate      Action = "create"       // only in the history: how it began
	ActEscalate    Action = "escalate"     // only in the history: the deadline passed
	ActSync        Action = "sync"         // only in the history: the work-order system's update
)

// Actions are the actions a person (or the API) may ask for.
var Actions = []Action{ActAssign, ActAnswer, ActClose, ActReturnVisit, ActReopen, ActNote}

// ErrTransition is a change the lifecycle does not allow; the API answers
// 409 with the reason.
var ErrTransition = errors.New("not allowed")

// TransitionError says why an action does not fit the ticket's state.
type TransitionError struct {
	From   State
	Action Action
	Reason string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s a ticket that is %s: %s", e.Action, e.From, e.Reason)
}

func (e *TransitionError) Unwrap() error { return ErrTransition }

// following are the states in which a ticket is still being worked on
// (its answer deadline runs).
var following = []State{Open, Assigned, Reopened}

// Next is the state after action on a ticket in state from; resolved
// matters only to a return visit (false reopens the ticket). It is the
// whole lifecycle, pure, so the API, the panel, the return-visit calls
// and the work-order system all obey the same rules.
func Next(from State, a Action, resolved bool) (State, error) {
	refuse := func(reason string) (State, error) {
		return from, &TransitionError{From: from, Action: a, Reason: reason}
	}
	switch a {
	case ActAssign:
		if slices.Contains(following, from) || from == Answered {
			return Assigned, nil
		}
		return refuse("only a ticket not yet closed can be assigned; reopen it first")
	case ActAnswer:
		switch from {
		case Assigned:
			return Answered, nil
		case Open, Reopened:
			return refuse("assign it to an owner first")
		}
		return refuse("it is not being worked on")
	case ActClose:
		switch from {
		case Answered:
			return Closed, nil
		case Open, Assigned, Reopened:
			return refuse("the customer has not been answered yet")
		}
		return refuse("it is closed already")
	case ActReturnVisit:
		if from != Closed {
			return refuse("a return visit is made only on a closed ticket")
		}
		if resolved {
			return ReturnVisited, nil
		}
		return Reopened, nil
	case ActReopen:
		if from == Closed || from == ReturnVisited {
			return Reopened, nil
		}
		return refuse("only a closed ticket can be reopened")
	case ActNote, ActSync:
		return from, nil
	}
	return refuse(fmt.Sprintf("unknown action %q", a))
}

// IsFollowing reports whether a ticket in state s still runs against its
// answer deadline.
func IsFollowing(s State) bool { return slices.Contains(following, s) }
