package queueing

import (
	"context"
	"log/slog"

	"github.com/hotline-oss/hotline/acd"
)

// Calls is what an implementation of Queueing keeps about its calls
// beside the ACD: each caller's mailbox, the agents being rung for each
// call and the agent leg answered for it. It has no lock of its own: its
// owner guards every use with its own mutex, the one it holds while it
// carries out the ACD's actions.
type Calls[L AgentLeg] struct {
	log     *slog.Logger
	waiters map[string]*Mailbox                      // call ID → the caller's mailbox
	dials   map[string]map[string]context.CancelFunc // call ID → agent → stop ringing
	legs    map[string]L                             // call ID → answered agent leg
}

// NewCalls starts an empty book; log hears of actions dropped because a
// caller's mailbox was full.
func NewCalls[L AgentLeg](log *slog.Logger) *Calls[L] {
	return &Calls[L]{
		log:     log,
		waiters: make(map[string]*Mailbox),
		dials:   make(map[string]map[string]context.CancelFunc),
		legs:    make(map[string]L),
	}
}

// Join opens a caller's mailbox.
func (c *Calls[L]) Join(callID, caller string) *Mailbox {
	w := NewMailbox(callID, caller)
	c.waiters[callID] = w
	return w
}

// Waiting reports whether the caller of callID has not left.
func (c *Calls[L]) Waiting(callID string) bool { return c.waiters[callID] != nil }

// Leave forgets the caller's mailbox and stops every ringing for the call;
// it returns the answered agent leg nobody took, for the owner to hang up.
func (c *Calls[L]) Leave(callID string) (leg L, ok bool) {
	delete(c.waiters, callID)
	for _, cancel := range c.dials[callID] {
		cancel()
	}
	delete(c.dials, callID)
	leg, ok = c.legs[callID]
	delete(c.legs, callID)
	return leg, ok
}

// Deliver hands one action to the caller's mailbox; an action for a
// caller who left is dropped (the ACD hears of it by the abandon).
func (c *Calls[L]) Deliver(callID string, act acd.Action) {
	w := c.waiters[callID]
	if w == nil {
		return
	}
	if !w.Deliver(act) {
		// The caller's goroutine is stuck; it will notice its call ended.
		c.log.Warn("acd action dropped: caller mailbox full", "call", callID)
	}
}

// SetLeg keeps the agent leg connected to the call until its caller
// takes it.
func (c *Calls[L]) SetLeg(callID string, leg L) { c.legs[callID] = leg }

// TakeLeg hands over the call's connected agent leg.
func (c *Calls[L]) TakeLeg(callID string) L {
	leg := c.legs[callID]
	delete(c.legs, callID)
	return leg
}

// StartDial records that agent is being rung for the call: it returns
// the context that stops the ringing and the caller's number, or false
// when the caller has left.
func (c *Calls[L]) StartDial(callID, agent string) (ctx context.Context, caller string, ok bool) {
	w := c.waiters[callID]
	if w == nil {
		return nil, "", false
	}
	ctx, cancel := context.WithCancel(context.Background())
	if c.dials[callID] == nil {
		c.dials[callID] = make(map[string]context.CancelFunc)
	}
	c.dials[callID][agent] = cancel
	return ctx, w.caller, true
}

// Ringing reports whether agent is being rung for the call.
func (c *Calls[L]) Ringing(callID, agent string) bool { return c.dials[callID][agent] != nil }

// CancelDial stops ringing agent for the call, if it still rings.
func (c *Calls[L]) CancelDial(callID, agent string) {
	if cancel := c.dials[callID][agent]; cancel != nil {
		cancel()
		c.ForgetDial(callID, agent)
	}
}

// ForgetDial forgets a ringing that ended by itself.
func (c *Calls[L]) ForgetDial(callID, agent string) {
	if m := c.dials[callID]; m != nil {
		delete(m, agent)
		if len(m) == 0 {
			delete(c.dials, callID)
		}
	}
}

// CancelAll stops every ringing, when queueing closes.
func (c *Calls[L]) CancelAll() {
	for _, m := range c.dials {
		for _, cancel := range m {
			cancel()
		}
	}
}
