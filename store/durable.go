package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Writes that used to go straight to the database and now go through the
// writer, so that an outage delays them instead of losing them. Each is
// keyed so that writing it twice (a replay after a batch that failed half
// way) leaves one row.

// spooledRecording is a recordings row as the spool keeps it.
type spooledRecording struct {
	CallID     string    `json:"call_id"`
	Queue      string    `json:"queue,omitempty"`
	Agent      string    `json:"agent,omitempty"`
	File       string    `json:"file"`
	Started    time.Time `json:"started"`
	DurationMS int64     `json:"duration_ms,omitempty"`
	Bytes      int64     `json:"bytes,omitempty"`
}

// spooledWorkOrder is a work order whose number is already decided (the
// receiver's, or one given while the database was out of reach) and the
// day its sequence number is taken in when it is written.
type spooledWorkOrder struct {
	WorkOrder
	Day string `json:"day"`
}

// callbackDone marks a callback that was answered or gave up: its row in
// callbacks goes, so that a restart does not dial the customer again.
type callbackDone struct {
	CallbackID string `json:"callback_id"`
}

// sideSQL holds the statements of the records in this file.
type sideSQL struct {
	recordingSQL, workOrderExistsSQL, workOrderSeqSQL, workOrderSQL string
	callbackSQL, callbackDoneSQL                                    string
	ticketSQL, ticketChangeSQL                                      string
}

func newSideSQL(rebind func(string) string, d dialect) sideSQL {
	return sideSQL{
		recordingSQL: rebind(d.insertSQL("recordings", []string{"call_id"}, []string{
			"call_id", "queue", "agent", "file", "started_ms", "duration_ms", "bytes"}, "")),
		// A work order is there already under its number, or as the same
		// report (call, time, message) numbered by a direct save whose
		// answer was lost with the connection.
		workOrderExistsSQL: rebind("SELECT COUNT(*) FROM work_orders WHERE number = ? OR " +
			"(call_id = ? AND created_ms = ? AND recording = ?)"),
		workOrderSeqSQL: rebind("SELECT COALESCE(MAX(seq), 0) + 1 FROM work_orders WHERE day = ?"),
		workOrderSQL: rebind("INSERT INTO work_orders (number, day, seq, call_id, account, caller, recording, created_ms) " +
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
		callbackSQL:     rebind(d.insertSQL("callbacks", []string{"callback_id"}, callbackColumns, "attempts")),
		callbackDoneSQL: rebind("DELETE FROM callbacks WHERE callback_id = ?"),
		// A ticket's row is replaced only by a later version of it.
		ticketSQL:       rebind(d.insertSQL("tickets", []string{"ticket_id"}, ticketColumns, "version")),
		ticketChangeSQL: rebind(d.insertSQL("ticket_changes", []string{"ticket_id", "seq"}, ticketChangeColumns, "")),
	}
}

func (s *dbSink) execRecording(ctx context.Context, tx *batchTx, r *spooledRecording) error {
	return tx.exec(ctx, s.side.recordingSQL, clip(r.CallID, maxIDLen), clip(r.Queue, maxNameLen),
		clip(r.Agent, maxNameLen), clip(r.File, maxFileLen), ms(r.Started), r.DurationMS, r.Bytes)
}

// execWorkOrder inserts a work order unless it is there already; its
// sequence number is the next of its day, taken in the same transaction.
func (s *dbSink) execWorkOrder(ctx context.Context, tx *batchTx, w *spooledWorkOrder) error {
	number, callID, recording := clip(w.Number, maxNumberLen), clip(w.CallID, maxIDLen), clip(w.Recording, maxFileLen)
	var n int
	if err := tx.tx.GetContext(ctx, &n, s.side.workOrderExistsSQL, number, callID, ms(w.Created), recording); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	var seq int64
	if err := tx.tx.GetContext(ctx, &seq, s.side.workOrderSeqSQL, w.Day); err != nil {
		return err
	}
	return tx.exec(ctx, s.side.workOrderSQL, number, w.Day, seq, callID, clip(w.Account, maxNumberLen),
		clip(w.Caller, maxNumberLen), recording, ms(w.Created))
}

// outageNumbers gives work orders their numbers while the database is out
// of reach: F<day>-<hhmmssmmm>, the time of day to the millisecond in the
// report time zone, made unique within the process. Nine digits keep them
// apart from the per-day sequence numbers (four digits) the database gives.
type outageNumbers struct {
	mu   sync.Mutex
	last int64 // day*1e9 + milliseconds of the day of the last number given
}

func (o *outageNumbers) next(t time.Time) string {
	day := int64(t.Year()*10000 + int(t.Month())*100 + t.Day())
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	key := day*1_000_000_000 + t.Sub(midnight).Milliseconds()
	o.mu.Lock()
	if key <= o.last {
		key = o.last + 1
	}
	o.last = key
	o.mu.Unlock()
	msOfDay := key % 1_000_000_000
	h, rest := msOfDay/3_600_000, msOfDay%3_600_000
	return fmt.Sprintf("F%08d-%02d%02d%02d%03d", key/1_000_000_000, h, rest/60_000, rest%60_000/1000, rest%1000)
}
