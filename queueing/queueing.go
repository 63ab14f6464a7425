package queueing

import (
	"context"
	"errors"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/metrics"
)

// Queueing is what the call path and the features see of the ACD. Every
// method is safe for concurrent use.
type Queueing[L AgentLeg] interface {
	// Join opens a call's mailbox before its first command, so that no
	// action of the ACD about it is lost; Leave closes it and stops any
	// ringing left for the call, hanging up an agent leg nobody took.
	Join(callID, caller string) *Mailbox
	Leave(callID string)
	// TakeLeg hands over the agent leg answered for a call (after a
	// Connect); nil when there is none.
	TakeLeg(callID string) L
	// Do runs one command. A command that breaks an invariant of the ACD
	// fails with ErrInternal and ends only the call it concerned.
	Do(cmd Command) error

	Agents() []acd.AgentInfo
	Agent(id string) (acd.AgentInfo, error)
	LoggedIn(agent string) bool
	Snapshot() []metrics.QueueSnapshot
	// Waiting lists the callers waiting in every queue (agents' personal
	// queues left out), for the supervisor console.
	Waiting() []acd.WaitingCall
	CallbacksPending() map[string]int
	// CallbackState is a pending callback's state to persist; false once
	// the callback is gone or queueing has stopped.
	CallbackState(id string) (acd.RestoredCallback, bool)

	// Setting is a queue's call-path settings as of the last reload.
	Setting(queue string) (Settings, bool)
	HasQueue(name string) bool
	IsAgent(id string) bool

	// Reload hands the ACD new agents and queues.
	Reload(cfg acd.Config, settings map[string]Settings) error
	// Registration follows agents' phones: the last registration gone
	// logs the agent out (nobody could ring it any more).
	Registration(agent string, registered bool)
	Close()
}

// AgentLeg is an answered call to an agent's phone.
type AgentLeg interface{ Hangup() }

// Dialer rings agents' phones for queued calls.
type Dialer[L AgentLeg] interface {
	// DialAgent rings agent's registered phones, showing caller, until one
	// answers, timeout passes or ctx ends.
	DialAgent(ctx context.Context, agent, caller string, timeout time.Duration) (L, error)
	// Failure says what a DialAgent error means to the ACD.
	Failure(err error) acd.OfferFailure
}

// Phones tells whether an agent has a registered phone: an agent without
// one cannot log in.
type Phones interface{ Registered(agent string) bool }

// Clock tells the time (the server's, which tests shift).
type Clock interface{ Now() time.Time }

// Mailbox is a queued call's inbox: the ACD's actions for that call, in
// order.
type Mailbox struct {
	callID string
	caller string
	acts   chan acd.Action
}

// Actions delivers the ACD's actions for the call.
func (m *Mailbox) Actions() <-chan acd.Action { return m.acts }

// NewMailbox opens a call's mailbox; for implementations of Queueing.
func NewMailbox(callID, caller string) *Mailbox {
	return &Mailbox{callID: callID, caller: caller, acts: make(chan acd.Action, mailboxSize)}
}

// Caller is the caller's number the mailbox was opened with.
func (m *Mailbox) Caller() string { return m.caller }

// Deliver hands the call one action without blocking; false when the
// mailbox is full (the caller's goroutine is stuck and will see its call
// end).
func (m *Mailbox) Deliver(act acd.Action) bool {
	select {
	case m.acts <- act:
		return true
	default:
		return false
	}
}

// mailboxSize bounds a caller's unread actions; past it, actions are
// dropped and logged (the caller's goroutine is stuck and will see its
// call end).
const mailboxSize = 32

var (
	// ErrInternal: a command broke an invariant of the ACD (it panicked).
	// The runtime recovered, ended the call the command concerned and
	// keeps serving every other call.
	ErrInternal = errors.New("acd: internal error")
	// ErrStopped: queueing was closed.
	ErrStopped = errors.New("acd stopped")
	// ErrNoPhone refuses to log in an agent whose softphone is not
	// registered: every call offered to it would fail at once, the caller
	// would keep waiting and the agent would end up auto-paused.
	ErrNoPhone = errors.New("no registered phone")
)

// ReasonInternalError is the Leave reason that ends a call whose command
// broke an invariant of the ACD.
const ReasonInternalError = "internal_error"
