package cdr

import "github.com/hotline-oss/hotline/call"

// A caller who takes a callback leaves the queue without being answered or
// abandoning: the inbound record's visit ends with OutcomeCallback and is
// the one that counts as offered. The callback's own record (its
// QueueRequested names the inbound call in Target) never queues anew, so
// when the callback is answered or gives up, the fold opens the visit it
// ends here: queued at the original queueing (the event's wait runs from
// there), and marked with the inbound call so that reports count its
// answer or abandon without offering the call a second time.

// callbackVisit opens the callback record's visit before e (AgentAnswered
// or Abandoned) closes it. Other records, and a callback whose visit is
// already open or closed, are left alone.
func (b *Builder) callbackVisit(e call.Event) {
	if b.continues == "" || b.openVisit >= 0 || len(b.rec.Visits) > 0 {
		return
	}
	r := &b.rec
	queued := e.Time.Add(-max(e.Wait, 0))
	setOnce(&r.Queued, queued)
	r.Queue = nonEmpty(e.Queue, r.Queue)
	r.Visits = append(r.Visits, QueueVisit{
		Seq: 1, Queue: nonEmpty(e.Queue, r.Queue), Priority: e.Priority, Queued: queued, Target: b.continues,
	})
	b.openVisit = 0
}
