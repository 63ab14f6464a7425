package queueing

import (
	"context"
	"errors"
	"time"

	"github.com/hotline-oss/hotline/acd"
)

// startDialLocked rings one agent for a call in the background.
func (rt *Runtime[L]) startDialLocked(callID, agent string, timeout time.Duration) {
	ctx, caller, ok := rt.calls.StartDial(callID, agent)
	if !ok {
		return
	}
	// The ACD withdraws the offer itself when timeout passes; the extra
	// second lets its CancelOffer, not our own timer, end the ringing.
	go rt.dial(ctx, callID, caller, agent, timeout+time.Second)
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
			rt.calls.ForgetDial(callID, agent)
			return a.OfferFailed(callID, agent, why)
		})
		return
	}
	err = rt.run(callID, "offer answered", func(a *acd.ACD) ([]acd.Action, error) {
		cancelled := ctx.Err() != nil
		rt.calls.ForgetDial(callID, agent)
		if cancelled || !rt.calls.Waiting(callID) {
			return nil, errWithdrawn
		}
		acts, err := a.OfferAnswered(callID, agent)
		if err == nil {
			rt.calls.SetLeg(callID, leg)
		}
		return acts, err
	})
	if err != nil {
		leg.Hangup()
	}
}
