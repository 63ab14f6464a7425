package spool

import (
	"context"
)

// spiller moves records to the spool tail on its own goroutine. Producers
// (the Recorder runs on the ACD's lock, through the event bus) only append
// to its backlog in memory: a slow or stalled disk delays the spool, never a
// routing decision. One write and one fsync cover everything that queued
// up meanwhile, so a slow disk also means fewer, larger syncs.
//
// The backlog is bounded by the writer's MaxQueue in the sense that
// matters to an operator: records handed over while it already held that
// many are counted (overflow) and logged. They are still kept, in memory, as
// the last place left: a call record is never dropped.
//
// Its fields are guarded by Writer.mu.
type spiller[R any] struct {
	backlog  []R    // handed to the spool, not yet appended
	inFlight bool   // the goroutine holds a batch it has not appended yet
	handed   uint64 // records ever handed over
	spooled  uint64 // of those, the first spooled are on disk (or given up on)
	done     bool   // the goroutine has exited: put spools inline
	spilled  int64  // records that went the spool's way since Open
	overflow int64  // of those, handed over while the backlog was full
	warned   int64  // overflow when the spiller last logged it
	// writerWaits: the writer found the spool empty with records still on
	// their way; the spiller wakes it once they are on disk.
	writerWaits bool
	progress    chan struct{}

	wake   chan struct{}
	stop   chan struct{}
	exited chan struct{}
}

func (p *Writer[R]) startSpiller() {
	p.spill.progress = make(chan struct{})
	p.spill.wake = make(chan struct{}, 1)
	p.spill.stop = make(chan struct{})
	p.spill.exited = make(chan struct{})
	go p.spillLoop()
}

// handToSpillerLocked queues r for the spool and returns the sequence
// number to wait for to know it durable.
func (p *Writer[R]) handToSpillerLocked(r R) uint64 {
	if len(p.spill.backlog) >= p.maxQueue {
		p.spill.overflow++ // logged by the spiller: no I/O here
	}
	p.spill.backlog = append(p.spill.backlog, r)
	p.spill.spilled++
	p.spill.handed++
	select {
	case p.spill.wake <- struct{}{}:
	default:
	}
	return p.spill.handed
}

func (p *Writer[R]) spillLoop() {
	defer close(p.spill.exited)
	for {
		select {
		case <-p.spill.wake:
			p.spillBacklog()
		case <-p.spill.stop:
			for {
				p.spillBacklog()
				p.mu.Lock()
				if len(p.spill.backlog) == 0 {
					// From now on put spools inline, after everything
					// this goroutine wrote: the order holds.
					p.spill.done = true
					p.progressLocked()
					p.mu.Unlock()
					return
				}
				p.mu.Unlock()
			}
		}
	}
}

// spillBacklog appends the backlog to the spool tail in one write and one
// fsync, then wakes the writer if it is waiting to drain them.
func (p *Writer[R]) spillBacklog() {
	p.mu.Lock()
	batch := p.spill.backlog
	p.spill.backlog = nil
	upTo := p.spill.handed
	p.spill.inFlight = len(batch) > 0
	overflow, warned := p.spill.overflow, p.spill.warned
	p.spill.warned = overflow
	p.mu.Unlock()
	if overflow > warned {
		p.log.Warn("store: disk slower than the records; held them in memory past the bound",
			"batch", len(batch), "overflow_total", overflow)
	}
	if len(batch) == 0 {
		return
	}
	f, appendErr := p.spool.AppendTail(batch)
	err := appendErr
	if err == nil {
		err = p.spool.SyncTail(f)
	}
	p.mu.Lock()
	if appendErr != nil {
		// The disk failed; memory beyond the bound is the last place
		// left, and losing a record is worse than using it.
		p.queue = append(p.queue, batch...)
	}
	p.spill.inFlight = false
	p.spill.spooled = upTo
	p.progressLocked()
	wakeWriter := p.spill.writerWaits
	p.spill.writerWaits = false
	p.mu.Unlock()
	if err != nil {
		p.spoolFailed(err)
	}
	if wakeWriter {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

func (p *Writer[R]) progressLocked() {
	close(p.spill.progress)
	p.spill.progress = make(chan struct{})
}

// spillPendingLocked reports whether records are on their way to the
// spool: the spool is not the whole of what was spilled yet.
func (p *Writer[R]) spillPendingLocked() bool {
	return len(p.spill.backlog) > 0 || p.spill.inFlight
}

// waitSpooled returns once the records handed to the spiller up to seq are
// on disk, or ctx ends.
func (p *Writer[R]) waitSpooled(ctx context.Context, seq uint64) error {
	for {
		p.mu.Lock()
		if p.spill.spooled >= seq || p.spill.done {
			p.mu.Unlock()
			return nil
		}
		ch := p.spill.progress
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// stopSpiller spools what is left in the backlog and ends the goroutine.
func (p *Writer[R]) stopSpiller() {
	close(p.spill.stop)
	<-p.spill.exited
}
