package workordersql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// WorkOrder is a fault report filed from the IVR. Number is the receiver's
// own number when its webhook answered with one, else a local one of the
// form F<YYYYMMDD>-<seq> with a per-day sequence.
type WorkOrder struct {
	Number    string    `json:"number"`
	CallID    string    `json:"call_id"`
	Account   string    `json:"account"`
	Caller    string    `json:"caller"`
	Recording string    `json:"recording"`
	Created   time.Time `json:"created_at"`
}

type workOrderRow struct {
	Number    string `db:"number"`
	CallID    string `db:"call_id"`
	Account   string `db:"account"`
	Caller    string `db:"caller"`
	Recording string `db:"recording"`
	CreatedMS int64  `db:"created_ms"`
}

// Table is the work orders: saved directly while the database takes them,
// through the store's writer when it does not.
type Table struct {
	h       *sqldb.Handle
	log     *slog.Logger
	put     func(*Spooled)
	numbers outageNumbers
}

// New is the work orders table on h; put hands a spooled work order to the
// writer and returns once it is durable.
func New(h *sqldb.Handle, log *slog.Logger, put func(*Spooled)) *Table {
	return &Table{h: h, log: log, put: put}
}

// ErrBadWorkOrder: a work order the store cannot keep.
var ErrBadWorkOrder = errors.New("store: bad work order")

// SaveWorkOrder keeps w and returns its number. An empty w.Number gets the
// next local number of the day of w.Created in loc (F<YYYYMMDD>-<seq>);
// concurrent savers of the same day retry on the unique (day, seq) key.
//
// A caller is waiting for the number, and a receiver may already have
// opened the work order, so an outage does not fail the report: when the
// database cannot take it now, the work order goes to the spool under the
// receiver's number, or under a local outage number F<YYYYMMDD>-<hhmmssmmm>
// that needs no database, and is written when the database is back. Only
// a work order without a creation time is an error (ErrBadWorkOrder).
func (tb *Table) SaveWorkOrder(ctx context.Context, w WorkOrder, loc *time.Location) (string, error) {
	if w.Created.IsZero() {
		return "", fmt.Errorf("%w: no creation time", ErrBadWorkOrder)
	}
	day := w.Created.In(loc).Format("20060102")
	db, err := tb.h.DB()
	if err == nil {
		var number string
		if number, err = tb.insertWorkOrder(ctx, db, w, day); err == nil {
			return number, nil
		}
	}
	if w.Number == "" {
		w.Number = tb.numbers.next(w.Created.In(loc))
	}
	tb.log.Warn("store: work order kept in the spool until the database takes it",
		"work_order", w.Number, "err", err)
	tb.put(&Spooled{WorkOrder: w, Day: day})
	return w.Number, nil
}

func (tb *Table) insertWorkOrder(ctx context.Context, db *sqlx.DB, w WorkOrder, day string) (string, error) {
	for range 5 {
		var seq int64
		q := db.Rebind("SELECT COALESCE(MAX(seq), 0) + 1 FROM work_orders WHERE day = ?")
		if err := db.GetContext(ctx, &seq, q, day); err != nil {
			return "", fmt.Errorf("store: work order sequence: %w", err)
		}
		number := w.Number
		if number == "" {
			number = fmt.Sprintf("F%s-%04d", day, seq)
		}
		_, err := db.ExecContext(ctx, db.Rebind(
			"INSERT INTO work_orders (number, day, seq, call_id, account, caller, recording, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
			sqldb.Clip(number, sqldb.MaxNumberLen), day, seq, sqldb.Clip(w.CallID, sqldb.MaxIDLen), sqldb.Clip(w.Account, sqldb.MaxNumberLen),
			sqldb.Clip(w.Caller, sqldb.MaxNumberLen), sqldb.Clip(w.Recording, sqldb.MaxFileLen), sqldb.MS(w.Created))
		if err == nil {
			return number, nil
		}
		if !(tb.h.D.IsPermanent(err) || strings.Contains(err.Error(), "Duplicate entry")) || ctx.Err() != nil {
			return "", fmt.Errorf("store: save work order: %w", err)
		}
		// A concurrent caller took this sequence number: take the next.
	}
	return "", fmt.Errorf("store: save work order: sequence contention on %s", day)
}

// WorkOrders lists work orders created in [from, to), newest first.
func (tb *Table) WorkOrders(ctx context.Context, from, to time.Time) ([]WorkOrder, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	var rows []workOrderRow
	q := db.Rebind("SELECT number, call_id, account, caller, recording, created_ms FROM work_orders " +
		"WHERE created_ms >= ? AND created_ms < ? ORDER BY created_ms DESC, number LIMIT 1000")
	if err := db.SelectContext(ctx, &rows, q, sqldb.MS(from), sqldb.MS(to)); err != nil {
		return nil, fmt.Errorf("store: work orders: %w", sqldb.Unavailable(err))
	}
	out := make([]WorkOrder, len(rows))
	for i, r := range rows {
		out[i] = WorkOrder{Number: r.Number, CallID: r.CallID, Account: r.Account, Caller: r.Caller,
			Recording: r.Recording, Created: sqldb.FromMS(r.CreatedMS)}
	}
	return out, nil
}

// WorkOrderByRecording finds the work order whose recording is file.
func (tb *Table) WorkOrderByRecording(ctx context.Context, file string) (WorkOrder, error) {
	db, err := tb.h.DB()
	if err != nil {
		return WorkOrder{}, err
	}
	var r workOrderRow
	q := db.Rebind("SELECT number, call_id, account, caller, recording, created_ms FROM work_orders WHERE recording = ?")
	if err := db.GetContext(ctx, &r, q, file); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = sqldb.ErrNotFound
		}
		return WorkOrder{}, fmt.Errorf("store: work order of %s: %w", file, sqldb.Unavailable(err))
	}
	return WorkOrder{Number: r.Number, CallID: r.CallID, Account: r.Account, Caller: r.Caller,
		Recording: r.Recording, Created: sqldb.FromMS(r.CreatedMS)}, nil
}
