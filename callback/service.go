package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/dialpolicy"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/callout"
	"github.com/hotline-oss/hotline/store"
)

// knownFor is how far back a number must have called in for a callback to
// be allowed to it when it is not the caller's own number.
const knownFor = 90 * 24 * time.Hour

// prompts are the prompts the callback dialogue plays.
var prompts = []string{
	"callback_offer_press", "callback_will_call", "callback_confirm_choice", "callback_enter_number",
	"callback_number_refused", "callback_thanks", "callback_connecting", "callback_confirm_only",
	"callback_number_not_allowed", "callback_not_possible", "you_entered", "confirm_reenter",
}

// Queueing is the ACD as virtual hold uses it.
type Queueing = queueing.Queueing[*sip.AgentLeg]

// Store is what virtual hold reads and writes in the records.
type Store interface {
	CalledSince(ctx context.Context, number string, since time.Time) (bool, error)
	Calls(ctx context.Context, from, to time.Time, limit int) ([]store.CallRecord, error)
	SaveCallback(p store.PendingCallback) error
	DeleteCallback(callbackID string)
	PendingCallbacks(ctx context.Context) ([]store.PendingCallback, error)
	Flush(ctx context.Context) error
	Stats() store.Stats
	Audit(e store.AuditEntry)
}

// Prompts finds prompts and music, decoded and ready to play.
type Prompts interface {
	Get(lang, name string) *playout.Prompt
	Music(name string) *playout.Prompt
	Has(lang, name string) bool
}

// Clock tells the server's time.
type Clock interface{ Now() time.Time }

// Deps are what virtual hold works with.
type Deps struct {
	Queueing Queueing
	SIP      *sip.Endpoint // dials the gateway
	Store    Store         // nil: pending callbacks do not survive a restart
	Prompts  Prompts
	Registry prometheus.Registerer
	// Subscribe adds a subscriber of the call events (the callback metrics
	// and the numbers that called in follow them).
	Subscribe func(call.Subscriber)
	Publish   func(call.Event)
	Clock     Clock
	Log       *slog.Logger
	// Routes, when set, dials through callback_gateway.trunks (package
	// trunk) instead of callback_gateway.uri.
	Routes func(number string) []callout.TrunkRoute
	// RestoreLater: New does not restore the saved callbacks; the caller
	// calls Restore once the queueing applies commands (a cluster node
	// follows the command stream only once it runs).
	RestoreLater bool
}

// Service runs virtual hold: it vets callback numbers, registers
// callbacks with the ACD and runs one goroutine per pending callback, which
// connects the agent and then dials the customer through the gateway.
type Service struct {
	deps   Deps
	mask   func(string) string // numbers as logs and audit show them
	log    *slog.Logger
	dialer *callout.Callbacks
	queues atomic.Pointer[map[string]config.QueueCallback] // enabled queues, defaults applied; a reload swaps it
	known  knownCallers
	policy callbackPolicy // policy.go

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	mu       sync.Mutex
	jobs     map[string]*callbackJob // callback id → job
	closed   bool
	late     lateRestore // persist.go
}

// callbackJob is one pending callback.
type callbackJob struct {
	id     string // the callback's call id: the original call id + "-cb"
	origID string
	number string // the hotline number first dialled
	queue  string
	lang   string
	ticket *callout.CallbackTicket
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

// New sets up virtual hold when a queue of cfg enables it; it returns nil
// when none does. It runs before SIP starts: saved callbacks go back in
// their queues ahead of any new caller (persist.go).
func New(cfg *config.Config, deps Deps) (*Service, error) {
	queues := EnabledQueues(cfg) // reload.go
	if len(queues) == 0 || deps.Queueing == nil {
		return nil, nil
	}
	for _, lang := range cfg.Languages {
		for _, p := range prompts {
			if !deps.Prompts.Has(lang, p) {
				return nil, cfg.Errorf("queues", "queues: callback prompt %q missing for language %s", p, lang)
			}
		}
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	svc := &Service{
		deps: deps, log: deps.Log.With("feature", "callback"), mask: func(n string) string { return n },
		stop: make(chan struct{}), jobs: make(map[string]*callbackJob),
	}
	if cfg.MaskNumbers() {
		svc.mask = store.Mask
	}
	gw := cfg.CallbackGateway.WithDefaults()
	allow, err := gw.AllowList()
	if err != nil {
		return nil, cfg.Errorf("callback_gateway", "callback_gateway: %v", err)
	}
	svc.policy.allow, svc.policy.caps = allow, gw.Caps()
	opts := []callout.CallbacksOption{callout.WithDialCheck(svc.checkDial)}
	if deps.Routes != nil { // callback_gateway.trunks instead of its uri
		opts = append(opts, callout.WithRoutes(deps.Routes))
	}
	dialer, err := callout.NewCallbacks(deps.SIP, callout.GatewayConfig{
		URI: gw.URI, Transport: gw.Transport, FromNumber: gw.FromNumber, MaxConcurrent: gw.MaxConcurrent,
	}, svc.isKnown, opts...)
	if err != nil {
		return nil, fmt.Errorf("callback gateway: %w", err)
	}
	svc.dialer = dialer
	svc.queues.Store(&queues)
	names := make([]string, 0, len(queues))
	for name := range queues {
		names = append(names, name)
	}
	sort.Strings(names)
	m, err := metrics.NewCallbacks(deps.Registry, names, deps.Queueing.CallbacksPending)
	if err != nil {
		return nil, err
	}
	reasons := make([]string, len(dialpolicy.Reasons))
	for i, r := range dialpolicy.Reasons {
		reasons[i] = string(r)
	}
	if svc.policy.refusals, err = metrics.NewCallbackRefusals(deps.Registry, reasons); err != nil {
		return nil, err
	}
	deps.Subscribe(m)
	deps.Subscribe(&svc.known)
	svc.seedLedger() // policy.go
	if !deps.RestoreLater {
		svc.restore() // persist.go
	}
	return svc, nil
}

// isKnown reports whether number called the hotline in the last 90 days:
// in this run, or in the call records.
func (svc *Service) isKnown(number string) bool {
	since := svc.deps.Clock.Now().Add(-knownFor)
	if svc.known.calledSince(number, since) {
		return true
	}
	if svc.deps.Store == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok, err := svc.deps.Store.CalledSince(ctx, number, since)
	if err != nil {
		// Refusing is the safe side: no dial-out to an unvetted number.
		svc.log.Warn("callback number check failed", "err", err)
		return false
	}
	return ok
}

// Settings are queue's callback settings as of the last reload; false
// when the queue offers none.
func (svc *Service) Settings(queue string) (config.QueueCallback, bool) {
	if svc == nil {
		return config.QueueCallback{}, false
	}
	q, ok := (*svc.queues.Load())[queue]
	return q, ok
}

// request turns the waiting call of o into a callback to ticket's number.
// It reports false when the call is no longer waiting (an agent answered
// meanwhile: the caller's Connect is in their mailbox).
func (svc *Service) request(o *Offer, queue string, ticket *callout.CallbackTicket, cb config.QueueCallback) (bool, error) {
	if err := svc.admit(o.c.ID, ticket.Number()); err != nil {
		svc.dialer.Forget(ticket)
		return false, err
	}
	rt := svc.deps.Queueing
	job := &callbackJob{
		id: o.c.ID + "-cb", origID: o.c.ID, number: o.c.Number, queue: queue,
		lang: o.lang, ticket: ticket, policy: cb,
	}
	// The agent's phone shows who is to be called back.
	job.w = rt.Join(job.id, "callback-"+svc.mask(ticket.Number()))
	err := rt.Do(queueing.RequestCallback{
		Call: o.c.ID, CallbackID: job.id, Number: ticket.Number(), Policy: acdCallbackPolicy(cb),
		// The callback is a call record of its own; this names its queue.
		Requested: call.Event{
			Kind: call.QueueRequested, Time: svc.deps.Clock.Now(), CallID: job.id, Caller: ticket.Number(),
			Number: job.number, Queue: job.queue, Language: job.lang, Target: job.origID,
		},
	})
	if err != nil {
		rt.Leave(job.id)
		svc.dialer.Forget(ticket)
		svc.policy.ledger.Forget(o.c.ID)
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

// Close stops every pending callback. With a store they are saved and
// restored on the next start; without one they are lost, so each is logged
// (number masked) for staff to follow up and its record ends as failed with
// reason server_shutdown.
func (svc *Service) Close() {
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
