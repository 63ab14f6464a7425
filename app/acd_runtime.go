package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/sip"
)

// acdRuntime carries out what the pure ACD decides: it serialises every
// command into it under one mutex, rings agents' phones, routes the
// resulting actions to the callers' goroutines and keeps the ACD's one
// timer armed.
type acdRuntime struct {
	s        *Server
	log      *slog.Logger
	settings atomic.Pointer[map[string]queueSettings] // swapped whole by a reload; read via setting

	mu      sync.Mutex
	acd     *acd.ACD
	timer   *time.Timer
	waiters map[string]*waiter                       // call ID → the caller's mailbox
	dials   map[string]map[string]context.CancelFunc // call ID → agent → stop ringing
	legs    map[string]*sip.AgentLeg                 // call ID → answered agent leg
	closed  bool

	consults consultRegistry // agents' consult calls in progress
}

// waiter is a queued caller's mailbox: the ACD's actions for that call.
type waiter struct {
	callID string
	caller string
	acts   chan acd.Action
}

func newACDRuntime(s *Server, a *acd.ACD, settings map[string]queueSettings) *acdRuntime {
	rt := &acdRuntime{
		s: s, log: s.log, acd: a,
		waiters: make(map[string]*waiter),
		dials:   make(map[string]map[string]context.CancelFunc),
		legs:    make(map[string]*sip.AgentLeg),
	}
	rt.settings.Store(&settings)
	rt.timer = time.AfterFunc(time.Hour, rt.tick)
	rt.timer.Stop()
	return rt
}

// do runs one ACD command under the lock, then carries out its actions and
// re-arms the timer for the ACD's next deadline. A command that panics
// fails with errACDInternal and ends nothing else (see doCall).
func (rt *acdRuntime) do(what string, cmd func(a *acd.ACD) ([]acd.Action, error)) error {
	return rt.doCall("", what, cmd)
}

// doCall is do for a command about one call: if the command breaks an
// invariant of the ACD, that call, and only it, is ended (acd_recover.go).
func (rt *acdRuntime) doCall(callID, what string, cmd func(a *acd.ACD) ([]acd.Action, error)) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return errors.New("acd stopped")
	}
	acts, err := rt.runLocked(callID, what, cmd)
	if err != nil && !errors.Is(err, errACDInternal) {
		rt.log.Debug("acd command refused", "command", what, "call", callID, "err", err)
	}
	rt.dispatchLocked(acts)
	rt.armLocked()
	return err
}

func (rt *acdRuntime) tick() {
	_ = rt.do("tick", func(a *acd.ACD) ([]acd.Action, error) { return a.Tick(), nil })
}

func (rt *acdRuntime) armLocked() {
	at, ok := rt.acd.NextDeadline()
	if !ok {
		rt.timer.Stop()
		return
	}
	// The deadline is on the server's clock, which need not be the wall
	// clock (tests shift it; so could an operator's time zone tooling).
	rt.timer.Reset(max(at.Sub(rt.s.clock.Now()), time.Millisecond))
}

// dispatchLocked routes each action: ringing is the runtime's job, the
// rest goes to the caller's goroutine, in order.
func (rt *acdRuntime) dispatchLocked(acts []acd.Action) {
	for _, act := range acts {
		switch a := act.(type) {
		case acd.Offer:
			for _, agent := range a.AgentIDs {
				rt.startDialLocked(a.CallID, agent, a.Timeout)
			}
		case acd.CancelOffer:
			if cancel := rt.dials[a.CallID][a.AgentID]; cancel != nil {
				cancel()
				delete(rt.dials[a.CallID], a.AgentID)
			}
		case acd.StartWrapup:
			rt.log.Debug("agent in wrap-up", "agent", a.AgentID, "until", a.Until)
		default:
			rt.deliverLocked(act)
		}
	}
}

func (rt *acdRuntime) deliverLocked(act acd.Action) {
	id := actionCall(act)
	w := rt.waiters[id]
	if w == nil {
		return
	}
	select {
	case w.acts <- act:
	default:
		// The caller's goroutine is stuck; it will notice its call ended.
		rt.log.Warn("acd action dropped: caller mailbox full", "call", id)
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

// startDialLocked rings one agent for a call in the background.
func (rt *acdRuntime) startDialLocked(callID, agent string, timeout time.Duration) {
	w := rt.waiters[callID]
	if w == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	if rt.dials[callID] == nil {
		rt.dials[callID] = make(map[string]context.CancelFunc)
	}
	rt.dials[callID][agent] = cancel
	// The ACD withdraws the offer itself when timeout passes; the extra
	// second lets its CancelOffer, not our own timer, end the ringing.
	go rt.dial(ctx, callID, w.caller, agent, timeout+time.Second)
}

func (rt *acdRuntime) dial(ctx context.Context, callID, caller, agent string, timeout time.Duration) {
	leg, err := rt.s.sip.DialAgent(ctx, agent, caller, timeout)
	if err != nil {
		if ctx.Err() != nil {
			return // the ACD cancelled this offer: it already knows
		}
		rt.log.Info("agent not reached", "agent", agent, "call", callID, "err", err)
		_ = rt.doCall(callID, "offer failed", func(a *acd.ACD) ([]acd.Action, error) {
			rt.forgetDialLocked(callID, agent)
			return a.OfferFailed(callID, agent, offerFailure(err))
		})
		return
	}
	err = rt.doCall(callID, "offer answered", func(a *acd.ACD) ([]acd.Action, error) {
		cancelled := ctx.Err() != nil
		rt.forgetDialLocked(callID, agent)
		if cancelled || rt.waiters[callID] == nil {
			return nil, errors.New("offer withdrawn before the agent answered")
		}
		acts, err := a.OfferAnswered(callID, agent)
		if err == nil {
			rt.legs[callID] = leg
		}
		return acts, err
	})
	if err != nil {
		leg.Hangup()
	}
}

func (rt *acdRuntime) forgetDialLocked(callID, agent string) {
	if m := rt.dials[callID]; m != nil {
		delete(m, agent)
		if len(m) == 0 {
			delete(rt.dials, callID)
		}
	}
}

func offerFailure(err error) acd.OfferFailure {
	switch {
	case errors.Is(err, sip.ErrAgentBusy):
		return acd.FailBusy
	case errors.Is(err, sip.ErrAgentDeclined):
		return acd.FailDeclined
	case errors.Is(err, sip.ErrNoAnswer):
		return acd.FailTimeout
	}
	return acd.FailFailed
}

// join registers a caller's mailbox; leave removes it and stops any
// ringing left for the call.
func (rt *acdRuntime) join(callID, caller string) *waiter {
	w := &waiter{callID: callID, caller: caller, acts: make(chan acd.Action, 32)}
	rt.mu.Lock()
	rt.waiters[callID] = w
	rt.mu.Unlock()
	return w
}

func (rt *acdRuntime) leave(callID string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	delete(rt.waiters, callID)
	for _, cancel := range rt.dials[callID] {
		cancel()
	}
	delete(rt.dials, callID)
	if leg := rt.legs[callID]; leg != nil {
		delete(rt.legs, callID)
		go leg.Hangup()
	}
}

// takeLeg hands the answered agent leg to the caller's goroutine.
func (rt *acdRuntime) takeLeg(callID string) *sip.AgentLeg {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	leg := rt.legs[callID]
	delete(rt.legs, callID)
	return leg
}

// registration logs an agent out when the softphone's last registration
// goes: nobody can ring it any more.
func (rt *acdRuntime) registration(agent string, registered bool) {
	if registered {
		return
	}
	_ = rt.do("logout on unregister", func(a *acd.ACD) ([]acd.Action, error) { return a.AgentLogout(agent) })
}

func (rt *acdRuntime) close() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.closed = true
	rt.timer.Stop()
	for _, m := range rt.dials {
		for _, cancel := range m {
			cancel()
		}
	}
}

// snapshot reads every queue's live state for the metrics and wallboard.
func (rt *acdRuntime) snapshot() []metrics.QueueSnapshot {
	rt.mu.Lock()
	stats := rt.acd.Queues()
	rt.mu.Unlock()
	out := make([]metrics.QueueSnapshot, 0, len(stats))
	for _, q := range stats {
		if isPersonalQueue(q.Name) {
			continue
		}
		agents := make(map[string]int, len(q.Agents))
		for state, n := range q.Agents {
			agents[state.String()] = n
		}
		out = append(out, metrics.QueueSnapshot{
			Name: q.Name, Waiting: q.Waiting, Agents: agents,
			OldestWaitSeconds: q.OldestWait.Seconds(), ExpectedWaitSeconds: q.ExpectedWait.Seconds(),
		})
	}
	return out
}

// agents is every agent as the ACD sees it now. This and the reads below
// are the only way other parts look into the ACD: nothing outside the
// runtime takes its lock.
func (rt *acdRuntime) agents() []acd.AgentInfo {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.acd.Agents()
}

// agent is one agent as the ACD sees it now.
func (rt *acdRuntime) agent(id string) (acd.AgentInfo, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.acd.Agent(id)
}

// callbackState is a pending callback's state to persist; false once the
// callback is gone or the runtime has stopped.
func (rt *acdRuntime) callbackState(id string) (acd.RestoredCallback, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return acd.RestoredCallback{}, false
	}
	return rt.acd.CallbackState(id)
}
