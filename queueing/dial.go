package queueing

import (
	"context"
	"errors"
	"time"

	"github.com/hotline-oss/hotline/acd"
)

// startDialLocked rings one agent for a call in the background.
func (rt *Runtime[L]) startDialLocked(callID, agent string, timeout time.Duration) {
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

// errWithdrawn: the agent answered an offer the ACD had withdrawn.
var errWithdrawn = errors.New("offer withdrawn before the agent answered")

func (rt *Runtime[L]) dial(ctx context.Context, callID, caller, agent string, timeout time.Duration) {
	leg, err := rt.deps.Dialer.DialAgent(ctx, agent, caller, timeout)
	if err != nil {
		if ctx.Err() != nil {
			return // the ACD cancelled this offer: it already knows
		}
		rt.log.Info("agent not reached", "agent", agent, "call", callID, "err", err)
		why := rt.deps.Dialer.Failure(err)
		_ = rt.run(callID, "offer failed", func(a *acd.ACD) ([]acd.Action, error) {
			rt.forgetDialLocked(callID, agent)
			return a.OfferFailed(callID, agent, why)
		})
		return
	}
	err = rt.run(callID, "offer answered", func(a *acd.ACD) ([]acd.Action, error) {
		cancelled := ctx.Err() != nil
		rt.forgetDialLocked(callID, agent)
		if cancelled || rt.waiters[callID] == nil {
			return nil, errWithdrawn
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

func (rt *Runtime[L]) forgetDialLocked(callID, agent string) {
	if m := rt.dials[callID]; m != nil {
		delete(m, agent)
		if len(m) == 0 {
			delete(rt.dials, callID)
		}
	}
}
