package callback

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/store"
)

// Pending callbacks are saved in the store from request to end, so a
// restart keeps them: on start they go back in their queues in the order
// their callers first queued, with the attempts they used.

const callbackStoreTimeout = 3 * time.Second

// persisted reports whether pending callbacks survive a restart.
func (svc *Service) persisted() bool { return svc.deps.Store != nil }

// save writes the callback's current state. The store keeps it through a
// database outage; a refusal (a callback without id or number) only costs
// the callback its survival of a restart.
func (svc *Service) save(job *callbackJob) {
	if !svc.persisted() {
		return
	}
	st, ok := svc.deps.Queueing.CallbackState(job.id)
	if !ok {
		return
	}
	svc.late.note(job.id)
	err := svc.deps.Store.SaveCallback(store.PendingCallback{
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
func (svc *Service) forgetSaved(id string) {
	if svc.persisted() {
		svc.deps.Store.DeleteCallback(id)
	}
}

// Restore puts the saved callbacks back in their queues, for a service
// built with Deps.RestoreLater; call it once.
func (svc *Service) Restore() { svc.restore() }

// restore puts the callbacks saved before the last stop back in their
// queues. It runs before SIP starts, so they keep their place ahead of any
// new caller. While the database is out of reach, or what an earlier run
// left in the spool is not written yet, it waits for that in the
// background instead: the rows are part of the list, and the number check
// of a restored callback reads the call records, which may still be
// spooled. Restored late, the callbacks queue behind the callers who came
// meanwhile.
func (svc *Service) restore() {
	if !svc.persisted() {
		return
	}
	if svc.restoreSaved(false) {
		return
	}
	svc.log.Warn("saved callbacks are restored once the database is back and the spool written")
	svc.late.begin()
	svc.wg.Add(1)
	go svc.restoreLater()
}

// restoreLater retries the restore while the store is healthy, until it
// has been done or the service stops. A failed attempt (the database went
// away again, the list could not be read) waits longer each time.
func (svc *Service) restoreLater() {
	defer svc.wg.Done()
	defer svc.late.end()
	wait, backoff := lateRestoreEvery, lateRestoreEvery
	for {
		select {
		case <-svc.stop:
			return
		case <-time.After(wait):
		}
		if st := svc.deps.Store.Stats(); !st.DatabaseConnected || st.LastError != nil {
			wait = lateRestoreEvery // the store retries on its own schedule
			continue
		}
		if svc.restoreSaved(true) {
			svc.log.Info("saved callbacks restored after the database came back")
			return
		}
		backoff = min(2*backoff, lateRestoreMax)
		wait = backoff
	}
}

// A waiting restore looks at the store every lateRestoreEvery, and after
// failed attempts at most every lateRestoreMax.
const (
	lateRestoreEvery = time.Second
	lateRestoreMax   = 30 * time.Second
)

// restoreSaved restores the saved callbacks if the spool is written and the
// list can be read; it reports whether it did. Late, it passes over the
// callbacks this run has saved: they run already.
func (svc *Service) restoreSaved(late bool) bool {
	st := svc.deps.Store
	if !st.Stats().DatabaseConnected {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), callbackStoreTimeout)
	defer cancel()
	if err := st.Flush(ctx); err != nil {
		svc.log.Warn("saved callbacks not restored yet: the spool is not written", "err", err)
		return false
	}
	saved, err := st.PendingCallbacks(ctx)
	if err != nil {
		svc.log.Warn("saved callbacks not restored yet", "err", err)
		return false
	}
	for _, p := range saved {
		if late && svc.late.ours(p.CallbackID) {
			continue
		}
		if !svc.restoreOne(p) {
			break // stopping: the rest stay saved for the next start
		}
	}
	return true
}

// lateRestore remembers, while the restore waits, the callbacks this run
// saved, so that the restore does not take them for saved ones.
type lateRestore struct {
	mu      sync.Mutex
	waiting bool
	saved   map[string]struct{}
}

func (l *lateRestore) begin() {
	l.mu.Lock()
	l.waiting, l.saved = true, make(map[string]struct{})
	l.mu.Unlock()
}

func (l *lateRestore) end() {
	l.mu.Lock()
	l.waiting, l.saved = false, nil
	l.mu.Unlock()
}

// note records a callback of this run, before it is saved.
func (l *lateRestore) note(id string) {
	l.mu.Lock()
	if l.waiting {
		l.saved[id] = struct{}{}
	}
	l.mu.Unlock()
}

func (l *lateRestore) ours(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.saved[id]
	return ok
}

// restoreOne puts one saved callback back in its queue and runs it. It
// reports false when the service is stopping: the callback stays saved.
func (svc *Service) restoreOne(p store.PendingCallback) bool {
	cb, ok := svc.Settings(p.Queue)
	if !ok {
		svc.log.Warn("saved callback dropped: its queue no longer offers callbacks", "callback", p.CallbackID,
			"queue", p.Queue, "number", svc.mask(p.Number))
		svc.forgetSaved(p.CallbackID)
		return true
	}
	ticket, err := svc.dialer.Restore(p.CallID, p.Number)
	if err != nil {
		svc.log.Warn("saved callback dropped", "callback", p.CallbackID, "number", svc.mask(p.Number), "err", err)
		svc.forgetSaved(p.CallbackID)
		return true
	}
	rt := svc.deps.Queueing
	job := &callbackJob{id: p.CallbackID, origID: p.CallID, number: p.HotlineNumber, queue: p.Queue,
		lang: p.Language, ticket: ticket, policy: cb}
	job.w = rt.Join(job.id, "callback-"+svc.mask(p.Number))
	err = rt.Do(queueing.RestoreCallback{
		Callback: acd.RestoredCallback{
			CallbackID: p.CallbackID, Queue: p.Queue, Caller: p.Caller, Number: p.Number, Priority: p.Priority,
			Queued: p.Queued, GiveUpAt: p.GiveUp, Attempts: p.Attempts,
		},
		Policy: acdCallbackPolicy(cb),
		// The record of the callback starts again: this names its queue.
		Requested: call.Event{
			Kind: call.QueueRequested, Time: svc.deps.Clock.Now(), CallID: job.id, Caller: p.Number,
			Number: job.number, Queue: job.queue, Priority: p.Priority, Language: job.lang, Target: job.origID,
		},
	})
	if err != nil {
		svc.log.Warn("saved callback not restored", "callback", p.CallbackID, "err", err)
		rt.Leave(job.id)
		svc.dialer.Forget(ticket)
		if !errors.Is(err, acd.ErrDuplicateCall) {
			// A duplicate is held by another node of a cluster (which
			// took it over, or restored it first): its row is that
			// node's, and it still needs it.
			svc.forgetSaved(p.CallbackID)
		}
		return true
	}
	svc.mu.Lock()
	if svc.closed {
		svc.mu.Unlock()
		rt.Leave(job.id)
		svc.dialer.Forget(ticket)
		return false
	}
	svc.jobs[job.id] = job
	svc.wg.Add(1)
	svc.mu.Unlock()
	svc.log.Info("callback restored", "callback", job.id, "queue", job.queue, "number", svc.mask(p.Number),
		"attempts", p.Attempts)
	go svc.run(job)
	return true
}
