package callbacksql

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// PendingCallback is a callback waiting to reach its customer, kept so that
// a restart does not lose it.
type PendingCallback struct {
	CallbackID    string    `db:"callback_id"`
	CallID        string    `db:"call_id"` // the inbound call it was asked on
	Queue         string    `db:"queue"`
	Priority      int       `db:"priority"`
	Caller        string    `db:"caller"` // the inbound caller's number
	Number        string    `db:"number"` // the number to call back
	HotlineNumber string    `db:"hotline_number"`
	Language      string    `db:"language"`
	Queued        time.Time `db:"-"` // when the caller first queued
	GiveUp        time.Time `db:"-"`
	Attempts      int       `db:"attempts"`
}

var callbackColumns = []string{"callback_id", "call_id", "queue", "priority", "caller", "number",
	"hotline_number", "language", "queued_ms", "give_up_ms", "attempts"}

// Table is the pending callbacks: saves and ends go through the store's
// writer, in the order they were made; the ledger remembers what it has
// not written yet.
type Table struct {
	h      *sqldb.Handle
	put    func(*Spooled) (durable func())
	putEnd func(*Done) (durable func())
	ledger ledger
}

// New is the callbacks table on h; put and putEnd hand a save and an end
// to the writer.
func New(h *sqldb.Handle, put func(*Spooled) (durable func()), putEnd func(*Done) (durable func())) *Table {
	return &Table{h: h, put: put, putEnd: putEnd}
}

// ErrBadCallback: a callback to save lacks its id or its number.
var ErrBadCallback = errors.New("store: callback without id or number")

// SaveCallback saves (or saves again) a pending callback through the
// writer, keyed by its id: an outage delays the row but does not lose it,
// and PendingCallbacks includes the callback from now on, also after a
// restart during the outage. Writing a save never lowers the attempts the
// row has already. A save made after DeleteCallback (while its end is still
// to be written) is dropped, so a finished callback never comes back.
func (tb *Table) SaveCallback(p PendingCallback) error {
	if p.CallbackID == "" || p.Number == "" {
		return fmt.Errorf("%w: callback %q", ErrBadCallback, p.CallbackID)
	}
	if durable := tb.ledger.save(p, tb.put); durable != nil {
		durable()
	}
	return nil
}

// DeleteCallback forgets a callback that was answered or gave up. It goes
// through the writer after the callback's saves, so an outage delays the
// delete but does not lose it, and from now on PendingCallbacks leaves the
// callback out even while its row or a save waits: a restart does not dial
// the customer again.
func (tb *Table) DeleteCallback(callbackID string) {
	if durable := tb.ledger.end(callbackID, tb.putEnd); durable != nil {
		durable()
	}
}

// PendingCallbacks lists the pending callbacks, earliest queued first (the
// order that keeps their places): the rows of the callbacks table, as the
// saves still waiting in the writer's queue or spool will leave them, less
// the callbacks whose end is waiting there. It fails with
// sqldb.ErrDatabaseUnavailable while the database has not been reached since
// Open: the callbacks saved before are unknown then, and a list without
// them would lose their customers for whoever restores from it.
func (tb *Table) PendingCallbacks(ctx context.Context) ([]PendingCallback, error) {
	// What the writer has not written yet is taken before the rows are
	// read: a save or an end it writes meanwhile is then in one or the
	// other, never in neither.
	saves, ended := tb.ledger.unwritten()
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	var rows []struct {
		PendingCallback
		QueuedMS int64 `db:"queued_ms"`
		GiveUpMS int64 `db:"give_up_ms"`
	}
	err = db.SelectContext(ctx, &rows, `SELECT callback_id, call_id, queue, priority, caller, number,
hotline_number, language, queued_ms, give_up_ms, attempts FROM callbacks`)
	if err != nil {
		return nil, fmt.Errorf("store: pending callbacks: %w", sqldb.Unavailable(err))
	}
	byID := make(map[string]PendingCallback, len(rows)+len(saves))
	for _, r := range rows {
		p := r.PendingCallback
		p.Queued, p.GiveUp = sqldb.FromMS(r.QueuedMS), sqldb.FromMS(r.GiveUpMS)
		byID[p.CallbackID] = p
	}
	// An unwritten save is newer than the row.
	maps.Copy(byID, saves)
	out := make([]PendingCallback, 0, len(byID))
	for id, p := range byID {
		if _, gone := ended[id]; !gone {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b PendingCallback) int {
		if c := a.Queued.Compare(b.Queued); c != 0 {
			return c
		}
		return strings.Compare(a.CallbackID, b.CallbackID)
	})
	return out, nil
}
