package app

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
)

// Pending callbacks are saved in the store from request to end, so a
// restart keeps them: on start they go back in their queues in the order
// their callers first queued, with the attempts they used.

const callbackStoreTimeout = 3 * time.Second

// persisted reports whether pending callbacks survive a restart.
func (svc *callbackService) persisted() bool { return svc.s.store != nil }

// save writes the callback's current state; a failure only costs the
// callback its survival of a restart.
func (svc *callbackService) save(job *callbackJob) {
	if !svc.persisted() {
		return
	}
	var st acd.RestoredCallback
	var ok bool
	svc.s.acd.mu.Lock()
	if !svc.s.acd.closed {
		st, ok = svc.s.acd.acd.CallbackState(job.id)
	}
	svc.s.acd.mu.Unlock()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), callbackStoreTimeout)
	defer cancel()
	err := svc.s.store.SaveCallback(ctx, store.PendingCallback{
		CallbackID: job.id, CallID: job.origID, Queue: st.Queue, Priority: st.Priority, Caller: st.Caller,
		Number: st.Number, HotlineNumber: job.number, Language: job.lang,
		Queued: st.Queued, GiveUp: st.GiveUpAt, Attempts: st.Attempts,
	})
	if err != nil {
		svc.log.Warn("callback not saved: it would not survive a restart", "callback", job.id, "err", err)
	}
}

// forgetSaved ends the saved callback. The store keeps the end through a
// database outage and leaves the callback out of what it restores, so a
// customer is not dialled again after a restart.
func (svc *callbackService) forgetSaved(id string) {
	if svc.persisted() {
		svc.s.store.DeleteCallback(id)
	}
}

// restore puts the callbacks saved before the last stop back in their
// queues. It runs before SIP starts, so they keep their place ahead of any
// new caller.
func (svc *callbackService) restore() error {
	if !svc.persisted() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), callbackStoreTimeout)
	saved, err := svc.s.store.PendingCallbacks(ctx)
	cancel()
	if err != nil {
		svc.log.Warn("saved callbacks not restored", "err", err)
		return nil
	}
	for _, p := range saved {
		svc.restoreOne(p)
	}
	return nil
}

func (svc *callbackService) restoreOne(p store.PendingCallback) {
	cb, ok := svc.settings(p.Queue)
	if !ok {
		svc.log.Warn("saved callback dropped: its queue no longer offers callbacks", "callback", p.CallbackID,
			"queue", p.Queue, "number", svc.mask(p.Number))
		svc.forgetSaved(p.CallbackID)
		return
	}
	ticket, err := svc.dialer.Restore(p.CallID, p.Number)
	if err != nil {
		svc.log.Warn("saved callback dropped", "callback", p.CallbackID, "number", svc.mask(p.Number), "err", err)
		svc.forgetSaved(p.CallbackID)
		return
	}
	rt := svc.s.acd
	job := &callbackJob{id: p.CallbackID, origID: p.CallID, number: p.HotlineNumber, queue: p.Queue,
		lang: p.Language, ticket: ticket, policy: cb}
	job.w = rt.join(job.id, "callback-"+svc.mask(p.Number))
	policy := acd.CallbackPolicy{MaxAttempts: cb.MaxAttempts, RetryAfter: cb.RetryAfter, GiveUpAfter: cb.GiveUpAfter}
	err = rt.do("restore callback", func(a *acd.ACD) ([]acd.Action, error) {
		// The record of the callback starts again: this names its queue.
		svc.s.bus.Publish(call.Event{
			Kind: call.QueueRequested, Time: svc.s.clock.Now(), CallID: job.id, Caller: p.Number,
			Number: job.number, Queue: job.queue, Priority: p.Priority, Language: job.lang, Target: job.origID,
		})
		return a.RestoreCallback(acd.RestoredCallback{
			CallbackID: p.CallbackID, Queue: p.Queue, Caller: p.Caller, Number: p.Number, Priority: p.Priority,
			Queued: p.Queued, GiveUpAt: p.GiveUp, Attempts: p.Attempts,
		}, policy)
	})
	if err != nil {
		svc.log.Warn("saved callback not restored", "callback", p.CallbackID, "err", err)
		rt.leave(job.id)
		svc.dialer.Forget(ticket)
		svc.forgetSaved(p.CallbackID)
		return
	}
	svc.mu.Lock()
	svc.jobs[job.id] = job
	svc.wg.Add(1)
	svc.mu.Unlock()
	svc.log.Info("callback restored", "callback", job.id, "queue", job.queue, "number", svc.mask(p.Number),
		"attempts", p.Attempts)
	go svc.run(job)
}
