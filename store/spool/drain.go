package spool

import (
	"context"
	"slices"
)

// The spool side of the writer: records the writer could not write go in
// front of the spool, and the writer drains the spool, oldest first, once
// the database answers again.

// deferRecords puts records the writer was holding, and whatever queued up
// behind them, in front of the spool, and turns spilling on so that newer
// records line up behind them.
func (p *Writer[R]) deferRecords(held []R) {
	p.mu.Lock()
	p.spilling = true
	recs := slices.Concat(held, p.queue)
	p.queue = nil
	p.mu.Unlock()
	if err := p.spool.prepend(recs); err != nil {
		p.spoolFailed(err)
		p.mu.Lock()
		p.queue = append(recs, p.queue...)
		p.mu.Unlock()
	}
}

func (p *Writer[R]) deferQueue() {
	if q := p.takeQueue(); len(q) > 0 {
		p.deferRecords(q)
	}
}

// drainSpool writes spooled segments from the head, removing each once it
// is written. When the spool is empty, producers may use the queue again.
func (p *Writer[R]) drainSpool(ctx context.Context) error {
	for {
		n, ok, err := p.spool.head()
		if err != nil {
			return err
		}
		if !ok {
			p.mu.Lock()
			// Records still on their way to the tail keep the spilling
			// on; the spiller wakes the writer when they are there.
			pending := p.spillPendingLocked()
			if p.spool.empty() && !pending {
				p.spilling = false
			}
			again := p.spilling && !pending
			p.spill.writerWaits = pending
			p.mu.Unlock()
			if !again {
				return nil
			}
			continue
		}
		recs, size, err := p.spool.read(n)
		if err != nil {
			return err
		}
		done, err := p.writeAll(ctx, recs)
		if err != nil {
			// Rewrite the rest alone, so that the written part is not
			// written again (it would be harmless, but slow).
			if done > 0 {
				p.shrinkHead(n, recs, size, done)
			}
			return err
		}
		if err := p.spool.remove(n, len(recs), size); err != nil {
			return err
		}
	}
}

// shrinkHead replaces a partly written head segment by its unwritten rest.
func (p *Writer[R]) shrinkHead(n int64, recs []R, size int64, done int) {
	if err := p.spool.prepend(recs[done:]); err != nil {
		p.spoolFailed(err)
		return
	}
	if err := p.spool.remove(n, len(recs), size); err != nil {
		p.spoolFailed(err)
	}
}
