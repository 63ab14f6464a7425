package spool

import "context"

// Stats is the writer's state, for gauges (see store.Stats, which passes
// these on).
type Stats struct {
	Queued        int   // records in the in-memory queue
	SpoolRecords  int   // records waiting in the spool
	SpoolBytes    int64 // size of the spool segments
	Written       int64 // records written since Start
	WriteErrors   int64 // failed write attempts since Start
	Rejected      int64 // records the database refused for their content
	SpillBacklog  int   // records handed to the spool and not yet on disk
	Spilled       int64 // records that took the spool's way since Start
	SpillOverflow int64 // of those, handed over while the backlog was full
	LastError     error // the last write error, nil once a write succeeds again
}

// Stats reports the writer's state.
func (p *Writer[R]) Stats() Stats {
	p.mu.Lock()
	queued := len(p.queue)
	backlog, spilled, overflow := len(p.spill.backlog), p.spill.spilled, p.spill.overflow
	p.mu.Unlock()
	recs, size := p.spool.Stats()
	p.stats.mu.Lock()
	defer p.stats.mu.Unlock()
	return Stats{
		Queued: queued, SpoolRecords: recs, SpoolBytes: size,
		Written: p.stats.written, WriteErrors: p.stats.writeErrors,
		Rejected: p.stats.rejected, LastError: p.stats.lastErr,
		SpillBacklog: backlog, Spilled: spilled, SpillOverflow: overflow,
	}
}

// WaitSpilled returns once every record handed to the spiller so far is on
// disk (or given up on), or ctx ends.
func (p *Writer[R]) WaitSpilled(ctx context.Context) error {
	p.mu.Lock()
	handed := p.spill.handed
	p.mu.Unlock()
	return p.waitSpooled(ctx, handed)
}
