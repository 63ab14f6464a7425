package spool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Writer is the ordered path from producers to the database. The order
// of records is: the in-memory queue (oldest), then the spool from head to
// tail, then the spiller's backlog. While spilling is set, producers hand
// records to the spiller, which appends them to the spool tail, instead of
// the queue, so that nothing overtakes what is already spooled; it is
// cleared only when the writer has drained the spool and the spiller has
// nothing left.
//
// A writer started without its database has no sink: it spills from the
// start, and every pass first tries reach; once that gives it a sink, the
// same pass writes the spool.
type Writer[R Record] struct {
	sink      Sink[R]                                    // nil until the database is reached
	reach     func(ctx context.Context) (Sink[R], error) // connects when sink is nil
	openErr   error                                      // why Open could not reach the database
	spool     *Spool[R]
	log       *slog.Logger
	hooks     Hooks
	maxQueue  int
	batchSize int
	timeout   time.Duration
	retryMin  time.Duration
	retryMax  time.Duration
	resolved  func([]R) // sees the records each write resolved, on the writer's goroutine

	mu       sync.Mutex
	queue    []R
	spilling bool
	closed   bool

	wake   chan struct{}
	flush  chan chan error
	stop   chan context.Context
	exited chan struct{}
	// life ends when the writer closes; it bounds attempts to reach the
	// database, so that Close need not wait out a connection timeout.
	life    context.Context
	endLife context.CancelFunc

	stats writerStats
	spill spiller[R] // guarded by mu
}

type writerStats struct {
	mu          sync.Mutex
	written     int64
	writeErrors int64
	rejected    int64
	lastErr     error
}

// New makes a writer; it takes records once started.
func New[R Record](cfg Config[R]) *Writer[R] {
	return &Writer[R]{
		reach: cfg.Reach, openErr: cfg.OpenErr,
		spool: cfg.Spool, log: cfg.Log, hooks: cfg.Hooks,
		maxQueue: cfg.MaxQueue, batchSize: cfg.BatchSize, timeout: cfg.Timeout,
		retryMin: cfg.RetryMin, retryMax: cfg.RetryMax, resolved: cfg.Resolved,
	}
}

// Start starts the writer and its spiller with the database's sink, nil
// when it could not be reached (Config.Reach then tries again), and makes
// the first pass (the records an earlier run left in the spool) within
// initial before it returns; what that pass cannot write stays spooled and
// is retried.
func (p *Writer[R]) Start(initial context.Context, sink Sink[R]) {
	p.sink = sink
	p.wake = make(chan struct{}, 1)
	p.flush = make(chan chan error)
	p.stop = make(chan context.Context)
	p.exited = make(chan struct{})
	p.life, p.endLife = context.WithCancel(context.Background())
	// Without a database, nothing may wait in memory alone.
	p.spilling = p.sink == nil || !p.spool.empty()
	p.startSpiller()
	first := make(chan struct{})
	go p.loop(initial, first)
	<-first
}

// Put hands one record to the writer without blocking and without I/O:
// to the in-memory queue, or, while spilling, to the spiller's backlog (see
// spiller). The returned func waits until a spilled record is on disk; it
// is nil when there is nothing to wait for. Producers on a hot path (the
// Recorder, under the ACD's lock) do not call it: a record in the backlog
// is exactly as safe as one in the queue.
func (p *Writer[R]) Put(r R) (durable func()) {
	p.mu.Lock()
	if !p.spilling && !p.closed && len(p.queue) < p.maxQueue {
		p.queue = append(p.queue, r)
		p.mu.Unlock()
		select {
		case p.wake <- struct{}{}:
		default:
		}
		return nil
	}
	p.spilling = true
	if p.spill.done {
		return p.spoolInlineLocked(r)
	}
	seq := p.handToSpillerLocked(r)
	p.mu.Unlock()
	return func() { _ = p.waitSpooled(context.Background(), seq) }
}

// spoolInlineLocked spools r on the caller's goroutine, once the writer and
// its spiller have shut down; it unlocks p.mu.
func (p *Writer[R]) spoolInlineLocked(r R) (durable func()) {
	p.spill.spilled++
	f, err := p.spool.AppendTail([]R{r})
	if err != nil {
		// The disk failed too; memory beyond the bound is the last place
		// left, and losing a record is worse than using it.
		p.queue = append(p.queue, r)
	}
	p.mu.Unlock()
	return func() {
		if err == nil {
			err = p.spool.SyncTail(f)
		}
		if err == nil {
			// Nobody will seal the tail after the writer has gone.
			err = p.spool.Close()
		}
		if err != nil {
			p.spoolFailed(err)
		}
	}
}

// PutNow puts a record and waits for it to be durable.
func (p *Writer[R]) PutNow(r R) {
	if durable := p.Put(r); durable != nil {
		durable()
	}
}

func (p *Writer[R]) Rejected(err error) {
	p.stats.mu.Lock()
	p.stats.rejected++
	p.stats.mu.Unlock()
	if p.hooks.Rejected != nil {
		p.hooks.Rejected(err)
	}
}

func (p *Writer[R]) spoolFailed(err error) {
	p.log.Error("store: spool write failed", "err", err)
	if p.hooks.SpoolFailure != nil {
		p.hooks.SpoolFailure(err)
	}
}

// loop is the writer goroutine. It passes over the queue and the spool
// whenever woken, and after a failure waits with backoff before trying the
// database again (records keep flowing into the spool meanwhile).
func (p *Writer[R]) loop(initial context.Context, first chan struct{}) {
	defer close(p.exited)
	var backoff time.Duration
	var retry <-chan time.Time
	// arm schedules the next attempt after a pass: none while all is
	// written, later and later while the database keeps failing.
	arm := func(err error) error {
		if err == nil {
			backoff, retry = 0, nil
			return nil
		}
		backoff = min(max(backoff*2, p.retryMin), p.retryMax)
		retry = time.After(backoff)
		return err
	}
	if p.sink == nil {
		// Open has just failed to reach the database: that was the first
		// attempt, and the next one waits like any retry.
		_ = arm(p.unreached(p.openErr))
		p.report()
	} else {
		_ = arm(p.pass(initial))
	}
	close(first)
	for {
		select {
		case <-p.wake:
			if retry != nil {
				// Backing off: keep new records durable in the spool
				// until the retry rather than waiting in memory.
				p.deferQueue()
				continue
			}
			_ = arm(p.pass(context.Background()))
		case <-retry:
			_ = arm(p.pass(context.Background()))
		case reply := <-p.flush:
			reply <- arm(p.pass(context.Background()))
		case ctx := <-p.stop:
			p.shutdown(ctx)
			return
		}
	}
}

// pass writes the queue, then drains the spool. It returns the write error
// that stopped it, or nil when both are empty.
func (p *Writer[R]) pass(ctx context.Context) error {
	if p.sink == nil {
		if err := p.connect(); err != nil {
			p.report()
			return err
		}
	}
	err := p.writeQueue(ctx)
	if err == nil {
		err = p.drainSpool(ctx)
	}
	p.report()
	return err
}

// connect tries to reach the database. A failure counts as a failed write:
// the records stay in the spool for want of a database.
func (p *Writer[R]) connect() error {
	sk, err := p.reach(p.life)
	if err != nil {
		return p.unreached(err)
	}
	p.sink = sk
	// The database is back; a write that fails now says so itself.
	p.stats.mu.Lock()
	p.stats.lastErr = nil
	p.stats.mu.Unlock()
	return nil
}

func (p *Writer[R]) unreached(cause error) error {
	err := fmt.Errorf("%w: %w", ErrDatabaseUnavailable, cause)
	p.writeFailed(err)
	return err
}

func (p *Writer[R]) writeFailed(err error) {
	p.stats.mu.Lock()
	p.stats.writeErrors++
	p.stats.lastErr = err
	p.stats.mu.Unlock()
	if p.hooks.WriteError != nil {
		p.hooks.WriteError(err)
	}
}

func (p *Writer[R]) takeQueue() []R {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queue
	p.queue = nil
	return q
}

func (p *Writer[R]) writeQueue(ctx context.Context) error {
	for {
		q := p.takeQueue()
		if len(q) == 0 {
			return nil
		}
		done, err := p.writeAll(ctx, q)
		if err != nil {
			p.deferRecords(q[done:])
			return err
		}
	}
}

// writeAll writes recs in batches; done counts the records resolved before
// an error.
func (p *Writer[R]) writeAll(ctx context.Context, recs []R) (done int, err error) {
	for done < len(recs) {
		end := min(done+p.batchSize, len(recs))
		n, err := p.writeBatch(ctx, recs[done:end])
		done += n
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

func (p *Writer[R]) writeBatch(ctx context.Context, recs []R) (int, error) {
	wctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	n, err := p.sink.Write(wctx, recs)
	p.stats.mu.Lock()
	p.stats.written += int64(n)
	if err == nil {
		p.stats.lastErr = nil
	}
	p.stats.mu.Unlock()
	if n > 0 && p.resolved != nil {
		p.resolved(recs[:n])
	}
	if n > 0 && p.hooks.RowsWritten != nil {
		p.hooks.RowsWritten(n)
	}
	if err != nil {
		p.log.Warn("store: database write failed; spooling", "err", err)
		p.writeFailed(err)
		return n, fmt.Errorf("store: write: %w", err)
	}
	return n, nil
}

func (p *Writer[R]) report() {
	if p.hooks.QueueLength != nil {
		p.mu.Lock()
		n := len(p.queue)
		p.mu.Unlock()
		p.hooks.QueueLength(n)
	}
	if p.hooks.SpoolSize != nil {
		p.hooks.SpoolSize(p.spool.Stats())
	}
}

// Flush asks the writer to try now, without waiting for its backoff, and
// waits for that pass: nil means every record handed over before the call is
// in the database.
func (p *Writer[R]) Flush(ctx context.Context) error {
	if err := p.WaitSpilled(ctx); err != nil {
		return err
	}
	reply := make(chan error, 1)
	select {
	case p.flush <- reply:
	case <-p.exited:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// shutdown makes a last pass within ctx and leaves what is left in the
// spool. After it, Put sends everything straight to the spool. Without a
// database there is nothing to pass to: all of it stays in the spool.
func (p *Writer[R]) shutdown(ctx context.Context) {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.stopSpiller()
	if ctx.Err() == nil && p.sink != nil {
		if err := p.pass(ctx); err != nil && !errors.Is(err, context.Canceled) {
			p.log.Warn("store: records left in the spool at close", "err", err)
		}
	}
	p.deferQueue()
	if err := p.spool.Close(); err != nil {
		p.spoolFailed(err)
	}
}

// Close makes a last pass within ctx, leaves the rest in the spool and
// ends the writer; a Put after it spools on the caller's goroutine. It also
// abandons an attempt to reach the database that is under way.
func (p *Writer[R]) Close(ctx context.Context) {
	p.endLife()
	select {
	case p.stop <- ctx:
		<-p.exited
	case <-p.exited:
	}
}
