package webhooks

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/signedhttp"
	"github.com/hotline-oss/hotline/web"
)

// Dispatcher delivers events to the configured URLs. Each URL has its own
// bounded queue and sender, so a slow or dead endpoint delays only itself and
// never the call bus.
type Dispatcher struct {
	hooks []*webhookSender
	seq   atomic.Uint64
	log   *slog.Logger
	clock clock

	mu     sync.RWMutex // guards closed against sends on closed queues
	closed bool
	wg     sync.WaitGroup
	cancel context.CancelFunc
}

// Stats counts one endpoint's deliveries.
type Stats struct {
	URL       string
	Delivered uint64 // accepted with 2xx
	Failed    uint64 // given up after retries or refused with 4xx
	Dropped   uint64 // not queued: the queue was full
}

// Options tune delivery; zero values take the defaults.
type Options struct {
	QueueSize    int           // per URL; default 10000
	MaxAttempts  int           // default 8
	FirstBackoff time.Duration // default 500ms, doubling
	MaxBackoff   time.Duration // default 30s
	Client       *http.Client  // default: a client with no overall timeout (each hook's timeout applies)
}

type webhookSender struct {
	cfg    config.Webhook
	poster signedhttp.Poster
	kinds  map[call.Kind]bool
	queue  chan webhookDelivery
	opts   Options

	delivered, failed, dropped atomic.Uint64
	lastWarn                   atomic.Int64 // unix seconds of the last queue-full warning
}

type webhookDelivery struct {
	seq  uint64
	kind call.Kind
	body []byte
}

// New checks the configuration and starts one sender per URL.
func New(hooks []config.Webhook, opts Options, log *slog.Logger) (*Dispatcher, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	w := &Dispatcher{log: log, clock: realClock{}, cancel: cancel}
	for i, h := range hooks {
		if err := h.Check(); err != nil {
			cancel()
			return nil, fmt.Errorf("webhooks[%d]: %w", i, err)
		}
		kinds, err := web.ParseKinds(h.Kinds)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("webhooks[%d]: kinds: %w", i, err)
		}
		if h.Timeout == 0 {
			h.Timeout = 5 * time.Second
		}
		w.hooks = append(w.hooks, &webhookSender{
			cfg: h, poster: signedhttp.Poster{Client: opts.Client, Secret: []byte(h.SecretValue())}, kinds: kinds,
			queue: make(chan webhookDelivery, opts.QueueSize), opts: opts,
		})
	}
	for _, s := range w.hooks {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			s.run(ctx, log)
		}()
	}
	return w, nil
}

func (o Options) withDefaults() Options {
	if o.QueueSize <= 0 {
		o.QueueSize = 10000
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.FirstBackoff <= 0 {
		o.FirstBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	return o
}

// HandleEvent queues e for every URL that wants it; it never blocks.
func (w *Dispatcher) HandleEvent(e call.Event) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return
	}
	seq := w.seq.Add(1)
	var bodies [2][]byte // masked, full caller number: encoded once each
	for _, s := range w.hooks {
		if s.kinds != nil && !s.kinds[e.Kind] {
			continue
		}
		full := 0
		if s.cfg.IncludeCallerNumber {
			full = 1
		}
		if bodies[full] == nil {
			b, err := web.MarshalEvent(e, full == 1)
			if err != nil {
				w.log.Error("webhook: encode", "err", err)
				return
			}
			bodies[full] = b
		}
		select {
		case s.queue <- webhookDelivery{seq: seq, kind: e.Kind, body: bodies[full]}:
		default:
			s.dropped.Add(1)
			s.warnFull(w.clock.Now(), w.log)
		}
	}
}

// warnFull logs a full queue at most once a minute per URL.
func (s *webhookSender) warnFull(now time.Time, log *slog.Logger) {
	last := s.lastWarn.Load()
	if now.Unix()-last < 60 || !s.lastWarn.CompareAndSwap(last, now.Unix()) {
		return
	}
	log.Warn("webhook queue full, dropping events", "url", s.cfg.URL, "dropped_total", s.dropped.Load())
}

// Stats returns the counters of every URL, in configuration order.
func (w *Dispatcher) Stats() []Stats {
	out := make([]Stats, 0, len(w.hooks))
	for _, s := range w.hooks {
		out = append(out, Stats{URL: s.cfg.URL, Delivered: s.delivered.Load(),
			Failed: s.failed.Load(), Dropped: s.dropped.Load()})
	}
	return out
}

// Close stops taking events and delivers what is queued until ctx ends;
// then pending deliveries are abandoned and ctx's error returned.
func (w *Dispatcher) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		for _, s := range w.hooks {
			close(s.queue)
		}
	}
	w.mu.Unlock()
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
		w.cancel()
		return nil
	case <-ctx.Done():
		w.cancel()
		<-done
		return fmt.Errorf("webhooks: close: %w", ctx.Err())
	}
}

func (s *webhookSender) run(ctx context.Context, log *slog.Logger) {
	for d := range s.queue {
		if ctx.Err() != nil {
			s.failed.Add(1)
			continue
		}
		if err := s.deliver(ctx, d); err != nil {
			s.failed.Add(1)
			log.Warn("webhook delivery failed", "url", s.cfg.URL, "delivery", d.seq, "event", d.kind.String(), "err", err)
			continue
		}
		s.delivered.Add(1)
	}
}

// deliver posts d, retrying network errors, 429 and 5xx with exponential
// backoff; other 4xx answers are final.
func (s *webhookSender) deliver(ctx context.Context, d webhookDelivery) error {
	backoff := s.opts.FirstBackoff
	var lastErr error
	for attempt := 1; attempt <= s.opts.MaxAttempts; attempt++ {
		retry, err := s.post(ctx, d)
		if err == nil {
			return nil
		}
		lastErr = err
		if !retry || attempt == s.opts.MaxAttempts {
			break
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("webhook: %w (last: %v)", ctx.Err(), lastErr)
		case <-t.C:
		}
		backoff = min(backoff*2, s.opts.MaxBackoff)
	}
	return lastErr
}

func (s *webhookSender) post(ctx context.Context, d webhookDelivery) (retry bool, err error) {
	res, err := s.poster.Post(ctx, signedhttp.Request{
		URL: s.cfg.URL, Body: d.body, Timeout: s.cfg.Timeout,
		Header: map[string]string{
			"X-Hotline-Event":    d.kind.String(),
			"X-Hotline-Delivery": strconv.FormatUint(d.seq, 10),
		},
	})
	switch {
	case err != nil && res.Status == 0:
		return true, fmt.Errorf("webhook: post: %w", err)
	case res.OK():
		return false, nil // the receiver's answer body means nothing to us
	case res.Retryable():
		return true, fmt.Errorf("webhook: status %d", res.Status)
	default:
		return false, fmt.Errorf("webhook: status %d (not retried)", res.Status)
	}
}

// clock paces the queue-full warnings; the wall clock unless a test sets
// one.
type clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
