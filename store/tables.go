package store

import (
	"context"
	"iter"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/auditsql"
	"github.com/hotline-oss/hotline/store/callbacksql"
	"github.com/hotline-oss/hotline/store/noticesql"
	"github.com/hotline-oss/hotline/store/recordingsql"
	"github.com/hotline-oss/hotline/store/reportsql"
	"github.com/hotline-oss/hotline/store/reviewsql"
	"github.com/hotline-oss/hotline/store/shiftsql"
	"github.com/hotline-oss/hotline/store/sqldb"
	"github.com/hotline-oss/hotline/store/ticketsql"
	"github.com/hotline-oss/hotline/store/workordersql"
)

// The tables beside the call records live in packages of their own, each
// given the database (s.h) and, for the rows that go through the writer, a
// way to hand them to it. The Store embeds them, so their methods are the
// Store's as they have always been. The aliases name the embedded fields.
type (
	auditTable     = auditsql.Table
	noticeTable    = noticesql.Table
	recordingTable = recordingsql.Table
	reportTable    = reportsql.Table
	reviewTable    = reviewsql.Table
	shiftTable     = shiftsql.Table
	ticketTable    = ticketsql.Table
	workOrderTable = workordersql.Table
)

// tables are the table packages a Store embeds; callbacks is named, so
// that its ledger's methods for the writer stay off the Store (reportTable reads the
// call records for the reports).
type tables struct {
	callbacks *callbacksql.Table
	*auditTable
	*noticeTable
	*recordingTable
	*reportTable
	*reviewTable
	*shiftTable
	*ticketTable
	*workOrderTable
}

// openTables gives every table the database and the writer. Rows that
// used to go straight to the database and now go through the writer are
// keyed so that writing one twice (a replay after a batch that failed half
// way) leaves one row.
func (s *Store) openTables() {
	put := func(r record) func() { return s.pipe.Put(r) }
	putNow := func(r record) { s.pipe.PutNow(r) }
	s.auditTable = auditsql.New(s.h, s.clock.Now, func(e *AuditEntry) { putNow(record{Audit: e}) })
	s.callbacks = callbacksql.New(s.h,
		func(c *callbacksql.Spooled) func() { return put(record{Callback: c}) },
		func(d *callbacksql.Done) func() { return put(record{CallbackDone: d}) })
	s.noticeTable = noticesql.New(s.h)
	s.recordingTable = recordingsql.New(s.h, func(r *recordingsql.Spooled) { putNow(record{Recording: r}) })
	s.reportTable = reportsql.New(s.h, s.clock.Now)
	s.reviewTable = reviewsql.New(s.h)
	s.shiftTable = shiftsql.New(s.h)
	s.ticketTable = ticketsql.New(s.h, func(t *ticketsql.Spooled) func() { return put(record{Ticket: t}) })
	s.workOrderTable = workordersql.New(s.h, s.log, func(w *workordersql.Spooled) { putNow(record{WorkOrder: w}) })
}

// callbackRecords yields the callback saves and ends among recs.
func callbackRecords(recs []record) iter.Seq2[*callbacksql.Spooled, *callbacksql.Done] {
	return func(yield func(*callbacksql.Spooled, *callbacksql.Done) bool) {
		for _, r := range recs {
			if (r.Callback != nil || r.CallbackDone != nil) && !yield(r.Callback, r.CallbackDone) {
				return
			}
		}
	}
}

// tableSinks are the tables' statements for the writer.
type tableSinks struct {
	audit      *auditsql.Sink
	callbacks  *callbacksql.Sink
	recordings *recordingsql.Sink
	tickets    *ticketsql.Sink
	workOrders *workordersql.Sink
}

func (s *Store) newTableSinks(db *sqlx.DB) tableSinks {
	return tableSinks{
		audit:      auditsql.NewSink(db, s.d),
		callbacks:  callbacksql.NewSink(db, s.d, s.callbacks.Ended),
		recordings: recordingsql.NewSink(db, s.d),
		tickets:    ticketsql.NewSink(db, s.d),
		workOrders: workordersql.NewSink(db),
	}
}

// write writes a record of one of the tables in the batch's transaction;
// the Recorder's records are the sink's own (sink.go).
func (t tableSinks) write(ctx context.Context, tx *sqldb.Tx, r record) error {
	switch {
	case r.Audit != nil:
		return t.audit.Write(ctx, tx, r.Audit)
	case r.Recording != nil:
		return t.recordings.Write(ctx, tx, r.Recording)
	case r.WorkOrder != nil:
		return t.workOrders.Write(ctx, tx, r.WorkOrder)
	case r.Callback != nil:
		return t.callbacks.Write(ctx, tx, r.Callback)
	case r.CallbackDone != nil:
		return t.callbacks.WriteDone(ctx, tx, r.CallbackDone)
	case r.Ticket != nil:
		return t.tickets.Write(ctx, tx, r.Ticket)
	}
	return nil
}

// SaveCallback saves a pending callback through the writer (see
// callbacksql.Table.SaveCallback).
func (s *Store) SaveCallback(p PendingCallback) error { return s.callbacks.SaveCallback(p) }

// DeleteCallback forgets a callback that was answered or gave up (see
// callbacksql.Table.DeleteCallback).
func (s *Store) DeleteCallback(callbackID string) { s.callbacks.DeleteCallback(callbackID) }

// PendingCallbacks lists the pending callbacks, earliest queued first (see
// callbacksql.Table.PendingCallbacks).
func (s *Store) PendingCallbacks(ctx context.Context) ([]PendingCallback, error) {
	return s.callbacks.PendingCallbacks(ctx)
}
