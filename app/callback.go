package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/dialpolicy"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/store"
)

// knownFor is how far back a number must have called in for a callback to
// be allowed to it when it is not the caller's own number.
const knownFor = 90 * 24 * time.Hour

// callbackPrompts are the prompts the callback dialogue plays.
var callbackPrompts = []string{
	"callback_offer_press", "callback_will_call", "callback_confirm_choice", "callback_enter_number",
	"callback_number_refused", "callback_thanks", "callback_connecting", "callback_confirm_only",
	"callback_number_not_allowed", "callback_not_possible", "you_entered", "confirm_reenter",
}

// callbackService runs virtual hold: it vets callback numbers, registers
// callbacks with the ACD and runs one goroutine per pending callback, which
// connects the agent and then dials the customer through the gateway.
type callbackService struct {
	s      *Server
	log    *slog.Logger
	dialer *sip.Callbacks
	queues atomic.Pointer[map[string]config.QueueCallback] // enabled queues, defaults applied; a reload swaps it
	known  knownCallers
	policy callbackPolicy // callback_policy.go

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	mu       sync.Mutex
	jobs     map[string]*callbackJob // callback id → job
	closed   bool
	late     lateRestore // callback_store.go
}

// callbackJob is one pending callback.
type callbackJob struct {
	id     string // the callback's call id: the original call id + "-cb"
	origID string
	number string // the hotline number first dialled
	queue  string
	lang   string
	ticket *sip.CallbackTicket
	policy config.QueueCallback
	w      *queueing.Mailbox
}

// knownCallers remembers the numbers that called during this run, so a
// number that called minutes ago counts even before its record is stored.
type knownCallers struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

const maxKnownCallers = 200000

func (k *knownCallers) HandleEvent(e call.Event) {
	if e.Kind != call.CallArrived || e.Caller == "" {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.seen == nil {
		k.seen = make(map[string]time.Time)
	}
	if len(k.seen) >= maxKnownCallers {
		// Past the cap the store answers; forgetting the oldest half keeps
		// memory bounded without a sorted structure per call.
		cut := e.Time.Add(-knownFor / 2)
		for n, at := range k.seen {
			if at.Before(cut) || len(k.seen) >= maxKnownCallers {
				delete(k.seen, n)
			}
		}
	}
	k.seen[e.Caller] = e.Time
}

func (k *knownCallers) calledSince(number string, since time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	at, ok := k.seen[number]
	return ok && !at.Before(since)
}

// startCallbacks sets up virtual hold when a queue enables it.
func (s *Server) startCallbacks() error {
	queues := callbackQueues(s.cfg) // callback_reload.go
	if len(queues) == 0 || s.acd == nil {
		return nil
	}
	for _, lang := range s.cfg.Languages {
		for _, p := range callbackPrompts {
			if !s.prompts.Has(lang, p) {
				return s.cfg.Errorf("queues", "queues: callback prompt %q missing for language %s", p, lang)
			}
		}
	}
	svc := &callbackService{
		s: s, log: s.log.With("feature", "callback"),
		stop: make(chan struct{}), jobs: make(map[string]*callbackJob),
	}
	gw := s.cfg.CallbackGateway.WithDefaults()
	allow, err := gw.AllowList()
	if err != nil {
		return s.cfg.Errorf("callback_gateway", "callback_gateway: %v", err)
	}
	svc.policy.allow, svc.policy.caps = allow, gw.Caps()
	dialer, err := sip.NewCallbacks(s.sip, sip.GatewayConfig{
		URI: gw.URI, Transport: gw.Transport, FromNumber: gw.FromNumber, MaxConcurrent: gw.MaxConcurrent,
	}, svc.isKnown, sip.WithDialCheck(svc.checkDial))
	if err != nil {
		return fmt.Errorf("callback gateway: %w", err)
	}
	svc.dialer = dialer
	svc.queues.Store(&queues)
	names := make([]string, 0, len(queues))
	for name := range queues {
		names = append(names, name)
	}
	sort.Strings(names)
	m, err := metrics.NewCallbacks(s.metrics.Registry(), names, s.acd.CallbacksPending)
	if err != nil {
		return err
	}
	reasons := make([]string, len(dialpolicy.Reasons))
	for i, r := range dialpolicy.Reasons {
		reasons[i] = string(r)
	}
	if svc.policy.refusals, err = metrics.NewCallbackRefusals(s.metrics.Registry(), reasons); err != nil {
		return err
	}
	s.bus.Subscribe(m)
	s.bus.Subscribe(&svc.known)
	s.callbacks = svc
	svc.seedLedger()     // callback_policy.go
	return svc.restore() // callback_store.go
}

// isKnown reports whether number called the hotline in the last 90 days:
// in this run, or in the call records.
func (svc *callbackService) isKnown(number string) bool {
	since := svc.s.clock.Now().Add(-knownFor)
	if svc.known.calledSince(number, since) {
		return true
	}
	if svc.s.store == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok, err := svc.s.store.CalledSince(ctx, number, since)
	if err != nil {
		// Refusing is the safe side: no dial-out to an unvetted number.
		svc.log.Warn("callback number check failed", "err", err)
		return false
	}
	return ok
}

func (svc *callbackService) settings(queue string) (config.QueueCallback, bool) {
	if svc == nil {
		return config.QueueCallback{}, false
	}
	q, ok := (*svc.queues.Load())[queue]
	return q, ok
}

func (svc *callbackService) mask(number string) string {
	if svc.s.cfg.MaskNumbers() {
		return store.Mask(number)
	}
	return number
}

// request turns the waiting call of qc into a callback to ticket's number.
// It reports false when the call is no longer waiting (an agent answered
// meanwhile: the caller's Connect is in their mailbox).
func (svc *callbackService) request(qc *queueCall, ticket *sip.CallbackTicket, cb config.QueueCallback) (bool, error) {
	if err := svc.admit(qc.c.ID, ticket.Number()); err != nil {
		svc.dialer.Forget(ticket)
		return false, err
	}
	rt := svc.s.acd
	job := &callbackJob{
		id: qc.c.ID + "-cb", origID: qc.c.ID, number: qc.c.Number, queue: qc.queue,
		lang: qc.lang, ticket: ticket, policy: cb,
	}
	// The agent's phone shows who is to be called back.
	job.w = rt.Join(job.id, "callback-"+svc.mask(ticket.Number()))
	err := rt.Do(queueing.RequestCallback{
		Call: qc.c.ID, CallbackID: job.id, Number: ticket.Number(), Policy: acdCallbackPolicy(cb),
		// The callback is a call record of its own; this names its queue.
		Requested: call.Event{
			Kind: call.QueueRequested, Time: svc.s.clock.Now(), CallID: job.id, Caller: ticket.Number(),
			Number: job.number, Queue: job.queue, Language: job.lang, Target: job.origID,
		},
	})
	if err != nil {
		rt.Leave(job.id)
		svc.dialer.Forget(ticket)
		svc.policy.ledger.Forget(qc.c.ID)
		if errors.Is(err, acd.ErrNotWaiting) {
			return false, nil
		}
		return false, err
	}
	svc.mu.Lock()
	if svc.closed {
		svc.mu.Unlock()
		svc.finish(job, call.ResultFailed, "server_shutdown", call.HangupByServer)
		return true, nil
	}
	svc.jobs[job.id] = job
	svc.wg.Add(1)
	svc.mu.Unlock()
	svc.save(job)
	svc.log.Info("callback requested", "call", job.origID, "callback", job.id, "queue", job.queue,
		"number", svc.mask(ticket.Number()))
	go svc.run(job)
	return true, nil
}

// acdCallbackPolicy is the ACD's view of a queue's callback rules.
func acdCallbackPolicy(cb config.QueueCallback) acd.CallbackPolicy {
	return acd.CallbackPolicy{MaxAttempts: cb.MaxAttempts, RetryAfter: cb.RetryAfter, GiveUpAfter: cb.GiveUpAfter}
}

// close stops every pending callback. With a store they are saved and
// restored on the next start; without one they are lost, so each is logged
// (number masked) for staff to follow up and its record ends as failed with
// reason server_shutdown.
func (svc *callbackService) close() {
	if svc == nil {
		return
	}
	svc.stopOnce.Do(func() { close(svc.stop) })
	svc.mu.Lock()
	svc.closed = true
	for _, j := range svc.jobs {
		if svc.persisted() {
			svc.log.Info("pending callback saved for the next start", "callback", j.id, "queue", j.queue)
			continue
		}
		svc.log.Warn("pending callback lost at shutdown", "callback", j.id, "queue", j.queue,
			"number", svc.mask(j.ticket.Number()))
	}
	svc.mu.Unlock()
	svc.wg.Wait()
}
