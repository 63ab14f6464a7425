package callback

import (
	"context"
	"errors"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/callout"
)

// run is the life of one callback: wait for the ACD to connect an agent,
// dial the customer, talk; again after a failed attempt, until it is
// answered or the ACD gives up.
func (svc *Service) run(job *callbackJob) {
	defer svc.wg.Done()
	for {
		select {
		case act := <-job.w.Actions():
			switch a := act.(type) {
			case acd.Connect:
				if res, reason, by, done := svc.attempt(job, a); done {
					svc.finish(job, res, reason, by)
					return
				}
			case acd.Leave:
				svc.finish(job, call.ResultAbandonedInQueue, a.Reason, call.HangupByServer)
				return
			case acd.Overflow:
				// A reload removed the queue under the callback.
				svc.abandon(job)
				svc.finish(job, call.ResultFailed, "queue_removed", call.HangupByServer)
				return
			}
		case <-svc.stop:
			if svc.persisted() {
				svc.keep(job) // persist.go restores it on the next start
				return
			}
			svc.abandon(job)
			svc.finish(job, call.ResultFailed, "server_shutdown", call.HangupByServer)
			return
		}
	}
}

// keep lets go of a callback at shutdown without ending it: its saved row
// and its open record carry on after the restart.
func (svc *Service) keep(job *callbackJob) {
	svc.deps.Queueing.Leave(job.id)
	svc.dialer.Forget(job.ticket)
	svc.mu.Lock()
	delete(svc.jobs, job.id)
	svc.mu.Unlock()
}

// abandon takes the callback out of the ACD when it ends for a reason of
// ours (shutdown); the ACD may already be stopped.
func (svc *Service) abandon(job *callbackJob) {
	_ = svc.deps.Queueing.Do(queueing.DropCallback{ID: job.id})
}

// finish ends the callback's own call record and forgets it.
func (svc *Service) finish(job *callbackJob, res call.Result, reason string, by call.HangupBy) {
	svc.deps.Queueing.Leave(job.id)
	svc.dialer.Forget(job.ticket)
	svc.forgetSaved(job.id)
	svc.mu.Lock()
	delete(svc.jobs, job.id)
	svc.mu.Unlock()
	svc.log.Info("callback ended", "callback", job.id, "queue", job.queue, "result", res, "reason", reason)
	svc.deps.Publish(call.Event{
		Kind: call.CallEnded, Time: svc.deps.Clock.Now(), CallID: job.id, Caller: job.ticket.Number(),
		Number: job.number, Result: res, Reason: reason, HangupBy: by, Language: job.lang,
	})
}

// attempt runs one dial-out for an agent who answered the callback's offer.
// done is true when the customer answered (the call then ran its course).
func (svc *Service) attempt(job *callbackJob, c acd.Connect) (res call.Result, reason string, by call.HangupBy, done bool) {
	rt := svc.deps.Queueing
	leg := rt.TakeLeg(job.id)
	if leg == nil {
		svc.failed(job, acd.CallbackAgentLeft)
		return "", "", "", false
	}
	if p := svc.deps.Prompts.Get(job.lang, "callback_connecting"); p != nil {
		leg.Media().Play(p)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-leg.Done():
		case <-svc.stop:
		case <-ctx.Done():
			return
		}
		cancel()
	}()
	cust, err := svc.dialer.DialCallback(ctx, job.ticket, job.policy.RingTimeout)
	if errors.Is(err, callout.ErrDialRefused) {
		svc.dialRefused(job, leg, err)
		return call.ResultFailed, "callback_refused", call.HangupByServer, true
	}
	if err != nil {
		outcome := dialOutcome(err)
		if legEnded(leg) {
			outcome = acd.CallbackAgentLeft
		}
		svc.log.Info("callback attempt failed", "callback", job.id, "agent", c.AgentID, "outcome", outcome, "err", err)
		leg.Hangup()
		svc.failed(job, outcome)
		return "", "", "", false
	}
	cancel()
	if err := rt.Do(queueing.CallbackAnswered{ID: job.id}); err != nil {
		cust.Hangup()
		leg.Hangup()
		return call.ResultFailed, "acd_error", call.HangupByServer, true
	}
	by = svc.talk(job, leg, cust)
	reason = "agent_hangup"
	if by == call.HangupByCaller {
		reason = "caller_hangup"
	}
	return call.ResultAnsweredByAgent, reason, by, true
}

// dialRefused ends a callback whose number no longer passes the
// allow-list or the caps (checkDial counted and audited it): the agent is
// let go and the callback leaves its queue for good, with no retry.
func (svc *Service) dialRefused(job *callbackJob, leg *sip.AgentLeg, err error) {
	svc.log.Warn("callback dial refused", "callback", job.id, "number", svc.mask(job.ticket.Number()), "err", err)
	leg.Hangup()
	_ = svc.deps.Queueing.Do(queueing.CallbackFailed{ID: job.id, Outcome: acd.CallbackFailedReason})
	svc.abandon(job)
}

func (svc *Service) failed(job *callbackJob, outcome string) {
	_ = svc.deps.Queueing.Do(queueing.CallbackFailed{ID: job.id, Outcome: outcome})
	svc.save(job) // the attempts used; nothing when it gave up
}

// dialOutcome maps a dial-out error to a callback attempt outcome.
func dialOutcome(err error) string {
	switch {
	case errors.Is(err, sip.ErrAgentBusy), errors.Is(err, sip.ErrAgentDeclined):
		return acd.CallbackBusy
	case errors.Is(err, sip.ErrNoAnswer):
		return acd.CallbackNoAnswer
	case errors.Is(err, sip.ErrDialCancelled):
		return acd.CallbackAgentLeft
	}
	return acd.CallbackFailedReason
}

// talk bridges the agent and the customer until one hangs up; it reports
// who did. The agent may hold; transfers are refused on callbacks.
func (svc *Service) talk(job *callbackJob, leg, cust *sip.AgentLeg) call.HangupBy {
	rt := svc.deps.Queueing
	leg.Media().StopPlayback()
	end := func(by call.HangupBy) call.HangupBy {
		_ = rt.Do(queueing.TalkEnded{Call: job.id, By: by})
		return by
	}
	bridge, err := media.Bridge(cust.Media(), leg.Media())
	if err != nil {
		svc.log.Warn("callback bridge failed", "callback", job.id, "err", err)
		cust.Hangup()
		leg.Hangup()
		return end(call.HangupByServer)
	}
	defer bridge.Close()
	music := svc.deps.Prompts.Music(svcMusic(rt, job.queue))
	for {
		select {
		case <-cust.Done():
			leg.Hangup()
			return end(call.HangupByCaller)
		case <-leg.Done():
			cust.Hangup()
			return end(call.HangupByAgent)
		case <-svc.stop:
			cust.Hangup()
			leg.Hangup()
			return end(call.HangupByServer)
		case held := <-leg.Holds():
			svc.hold(job, bridge, held, music)
		case r := <-leg.Refers():
			r.Notify(403, "Forbidden")
		case <-job.w.Actions():
			// Nothing the ACD says changes a connected call.
		}
	}
}

func (svc *Service) hold(job *callbackJob, bridge *media.BridgeHandle, held bool, music *playout.Prompt) {
	if held {
		bridge.Hold(music)
	} else {
		bridge.Unhold()
	}
	_ = svc.deps.Queueing.Do(queueing.Hold{Call: job.id, Held: held})
}

func svcMusic(q Queueing, queue string) string {
	qs, _ := q.Setting(queue)
	return qs.Music
}

func legEnded(l *sip.AgentLeg) bool {
	select {
	case <-l.Done():
		return true
	default:
		return false
	}
}
