package queueing

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
)

// Runtime is the standalone Queueing: it carries out what the pure ACD
// decides. It serialises every command into it under one mutex, rings
// agents' phones, routes the resulting actions to the callers' mailboxes
// and keeps the ACD's one timer armed.
type Runtime[L AgentLeg] struct {
	deps     Deps[L]
	log      *slog.Logger
	settings atomic.Pointer[map[string]Settings] // swapped whole by a reload

	mu     sync.Mutex
	acd    *acd.ACD
	timer  *time.Timer
	calls  *Calls[L]
	closed bool
}

// Deps are what the runtime works with. Dialer and Clock are required.
type Deps[L AgentLeg] struct {
	Dialer Dialer[L]
	Phones Phones
	Clock  Clock
	Log    *slog.Logger
	// Publish announces the events commands carry (a callback's
	// QueueRequested); the ACD's own events go to its observer.
	Publish func(call.Event)
	// OnInternalError counts a recovered invariant violation.
	OnInternalError func()
}

var _ Queueing[AgentLeg] = (*Runtime[AgentLeg])(nil)

// New wraps a with the runtime. The ACD is the runtime's from then on:
// nothing else may call it.
func New[L AgentLeg](a *acd.ACD, settings map[string]Settings, deps Deps[L]) *Runtime[L] {
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	rt := &Runtime[L]{
		deps: deps, log: deps.Log, acd: a,
		calls: NewCalls[L](deps.Log),
	}
	rt.settings.Store(&settings)
	rt.timer = time.AfterFunc(time.Hour, rt.tick)
	rt.timer.Stop()
	return rt
}

func (rt *Runtime[L]) env() Env { return Env{Phones: rt.deps.Phones, Publish: rt.deps.Publish} }

// Do runs one command under the lock, then carries out its actions and
// re-arms the timer for the ACD's next deadline.
func (rt *Runtime[L]) Do(cmd Command) error {
	return rt.run(cmd.CallID(), cmd.Name(), func(a *acd.ACD) ([]acd.Action, error) { return cmd.Apply(a, rt.env()) })
}

// run is Do for the runtime's own commands: if cmd breaks an invariant of
// the ACD, the call callID, and only it, is ended (recover.go).
func (rt *Runtime[L]) run(callID, what string, cmd func(a *acd.ACD) ([]acd.Action, error)) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return ErrStopped
	}
	acts, err := rt.runLocked(callID, what, cmd)
	if err != nil && !errors.Is(err, ErrInternal) {
		rt.log.Debug("acd command refused", "command", what, "call", callID, "err", err)
	}
	rt.dispatchLocked(acts)
	rt.armLocked()
	return err
}

func (rt *Runtime[L]) tick() { _ = rt.Do(tick{}) }

func (rt *Runtime[L]) armLocked() {
	at, ok := rt.acd.NextDeadline()
	if !ok {
		rt.timer.Stop()
		return
	}
	// The deadline is on the server's clock, which need not be the wall
	// clock (tests shift it; so could an operator's time zone tooling).
	rt.timer.Reset(max(at.Sub(rt.deps.Clock.Now()), time.Millisecond))
}

// dispatchLocked routes each action: ringing is the runtime's job, the
// rest goes to the caller's mailbox, in order.
func (rt *Runtime[L]) dispatchLocked(acts []acd.Action) {
	for _, act := range acts {
		switch a := act.(type) {
		case acd.Offer:
			for _, agent := range a.AgentIDs {
				rt.startDialLocked(a.CallID, agent, a.Timeout)
			}
		case acd.CancelOffer:
			rt.calls.CancelDial(a.CallID, a.AgentID)
		case acd.StartWrapup:
			rt.log.Debug("agent in wrap-up", "agent", a.AgentID, "until", a.Until)
		default:
			rt.calls.Deliver(actionCall(act), act)
		}
	}
}

func actionCall(act acd.Action) string {
	switch a := act.(type) {
	case acd.Queued:
		return a.CallID
	case acd.Blocked:
		return a.CallID
	case acd.Rejected:
		return a.CallID
	case acd.Connect:
		return a.CallID
	case acd.Announce:
		return a.CallID
	case acd.Overflow:
		return a.CallID
	case acd.Leave:
		return a.CallID
	}
	return ""
}

// Join registers a caller's mailbox.
func (rt *Runtime[L]) Join(callID, caller string) *Mailbox {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.calls.Join(callID, caller)
}

// Leave removes a caller's mailbox and stops any ringing left for the call.
func (rt *Runtime[L]) Leave(callID string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if leg, ok := rt.calls.Leave(callID); ok {
		go leg.Hangup()
	}
}

// TakeLeg hands the answered agent leg to the caller's goroutine.
func (rt *Runtime[L]) TakeLeg(callID string) L {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.calls.TakeLeg(callID)
}

// Registration logs an agent out when the softphone's last registration
// goes.
func (rt *Runtime[L]) Registration(agent string, registered bool) {
	if registered {
		return
	}
	_ = rt.run("", "logout on unregister", func(a *acd.ACD) ([]acd.Action, error) { return a.AgentLogout(agent) })
}

// Close stops the timer and every ringing; commands fail from then on.
func (rt *Runtime[L]) Close() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.closed = true
	rt.timer.Stop()
	rt.calls.CancelAll()
}

// Reload hands the ACD its new agents and queues and the runtime their
// settings, under the lock every command takes.
func (rt *Runtime[L]) Reload(cfg acd.Config, settings map[string]Settings) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return ErrStopped
	}
	// A reload that breaks an invariant fails like a refused one, with
	// ErrInternal; the ACD keeps what it had applied (recover.go).
	acts, err := rt.runLocked("", "reload", func(a *acd.ACD) ([]acd.Action, error) { return a.Reload(cfg) })
	if err != nil {
		return err
	}
	rt.settings.Store(&settings)
	rt.dispatchLocked(acts)
	rt.armLocked()
	return nil
}
