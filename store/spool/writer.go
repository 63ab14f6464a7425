package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// sink writes records to the database. write resolves records from the
// front of recs (written, or rejected for their content) and returns how
// many it resolved; a non-nil error means the rest could not be written now
// (the database is down or slow) and must be kept.
type sink interface {
	write(ctx context.Context, recs []record) (int, error)
}

// Hooks let the server export the writer's health as metrics. Each is
// optional. All but SpoolFailure are called from the writer's goroutine;
// SpoolFailure may also come from the spiller's goroutine.
type Hooks struct {
	QueueLength  func(records int)              // in-memory queue after each pass
	SpoolSize    func(records int, bytes int64) // spooled records after each pass
	WriteError   func(err error)                // a write failed (the records were kept)
	Rejected     func(err error)                // a record was refused for its content and set aside
	RowsWritten  func(records int)              // records written to the database
	SpoolFailure func(err error)                // the spool itself failed (disk full, ...)
}

// pipeline is the ordered path from producers to the database. The order
// of records is: the in-memory queue (oldest), then the spool from head to
// tail, then the spiller's backlog. While spilling is set, producers hand
// records to the spiller, which appends them to the spool tail, instead of
// the queue, so that nothing overtakes what is already spooled; it is
// cleared only when the writer has drained the spool and the spiller has
// nothing left.
//
// A pipeline opened without its database has no sink: it spills from the
// start, and every pass first tries reach; once that gives it a sink, the
// same pass writes the spool.
type pipeline struct {
	sink      sink                                    // nil until the database is reached
	reach     func(ctx context.Context) (sink, error) // connects when sink is nil
	openErr   error                                   // why Open could not reach the database
	spool     *spool
	log       *slog.Logger
	hooks     Hooks
	maxQueue  int
	batchSize int
	timeout   time.Duration
	retryMin  time.Duration
	retryMax  time.Duration
	resolved  func([]record) // sees the records each write resolved, on the writer's goroutine

	mu       sync.Mutex
	queue    []record
	spilling bool
	closed   bool

	wake   chan struct{}
	flush  chan chan error
	stop   chan context.Context
	exited chan struct{}
	// life ends when the pipeline closes; it bounds attempts to reach the
	// database, so that Close need not wait out a connection timeout.
	life    context.Context
	endLife context.CancelFunc

	stats writerStats
	spill spiller // guarded by mu
}

type writerStats struct {
	mu          sync.Mutex
	written     int64
	writeErrors int64
	rejected    int64
	lastErr     error
}

func (p *pipeline) start(initial context.Context) {
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

// put hands one record to the writer without blocking and without I/O:
// to the in-memory queue, or, while spilling, to the spiller's backlog (see
// spiller). The returned func waits until a spilled record is on disk; it
// is nil when there is nothing to wait for. Producers on a hot path (the
// Recorder, under the ACD's lock) do not call it: a record in the backlog
// is exactly as safe as one in the queue.
func (p *pipeline) put(r record) (durable func()) {
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
func (p *pipeline) spoolInlineLocked(r record) (durable func()) {
	p.spill.spilled++
	f, err := p.spool.appendTail([]record{r})
	if err != nil {
		// The disk failed too; memory beyond the bound is the last place
		// left, and losing a record is worse than using it.
		p.queue = append(p.queue, r)
	}
	p.mu.Unlock()
	return func() {
		if err == nil {
			err = p.spool.syncTail(f)
		}
		if err == nil {
			// Nobody will seal the tail after the writer has gone.
			err = p.spool.close()
		}
		if err != nil {
			p.spoolFailed(err)
		}
	}
}

// putNow puts a record and waits for it to be durable.
func (p *pipeline) putNow(r record) {
	if durable := p.put(r); durable != nil {
		durable()
	}
}

func (p *pipeline) rejected(err error) {
	p.stats.mu.Lock()
	p.stats.rejected++
	p.stats.mu.Unlock()
	if p.hooks.Rejected != nil {
		p.hooks.Rejected(err)
	}
}

func (p *pipeline) spoolFailed(err error) {
	p.log.Error("store: spool write failed", "err", err)
	if p.hooks.SpoolFailure != nil {
		p.hooks.SpoolFailure(err)
	}
}

// loop is the writer goroutine. It passes over the queue and the spool
// whenever woken, and after a failure waits with backoff before trying the
// database again (records keep flowing into the spool meanwhile).
func (p *pipeline) loop(initial context.Context, first chan struct{}) {
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
func (p *pipeline) pass(ctx context.Context) error {
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
func (p *pipeline) connect() error {
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

func (p *pipeline) unreached(cause error) error {
	err := fmt.Errorf("%w: %w", ErrDatabaseUnavailable, cause)
	p.writeFailed(err)
	return err
}

func (p *pipeline) writeFailed(err error) {
	p.stats.mu.Lock()
	p.stats.writeErrors++
	p.stats.lastErr = err
	p.stats.mu.Unlock()
	if p.hooks.WriteError != nil {
		p.hooks.WriteError(err)
	}
}

func (p *pipeline) takeQueue() []record {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queue
	p.queue = nil
	return q
}

func (p *pipeline) writeQueue(ctx context.Context) error {
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
func (p *pipeline) writeAll(ctx context.Context, recs []record) (done int, err error) {
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

func (p *pipeline) writeBatch(ctx context.Context, recs []record) (int, error) {
	wctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	n, err := p.sink.write(wctx, recs)
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

func (p *pipeline) report() {
	if p.hooks.QueueLength != nil {
		p.mu.Lock()
		n := len(p.queue)
		p.mu.Unlock()
		p.hooks.QueueLength(n)
	}
	if p.hooks.SpoolSize != nil {
		p.hooks.SpoolSize(p.spool.stats())
	}
}

// Flush asks the writer to try now, without waiting for its backoff, and
// waits for that pass: nil means every record handed over before the call is
// in the database.
func (p *pipeline) flushNow(ctx context.Context) error {
	p.mu.Lock()
	handed := p.spill.handed
	p.mu.Unlock()
	if err := p.waitSpooled(ctx, handed); err != nil {
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
// spool. After it, put sends everything straight to the spool. Without a
// database there is nothing to pass to: all of it stays in the spool.
func (p *pipeline) shutdown(ctx context.Context) {
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
	if err := p.spool.close(); err != nil {
		p.spoolFailed(err)
	}
}

func (p *pipeline) close(ctx context.Context) {
	p.endLife()
	select {
	case p.stop <- ctx:
		<-p.exited
	case <-p.exited:
	}
}
