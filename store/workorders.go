package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
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
func (s *Store) SaveWorkOrder(ctx context.Context, w WorkOrder, loc *time.Location) (string, error) {
	if w.Created.IsZero() {
		return "", fmt.Errorf("%w: no creation time", ErrBadWorkOrder)
	}
	day := w.Created.In(loc).Format("20060102")
	err := s.connected()
	if err == nil {
		var number string
		if number, err = s.insertWorkOrder(ctx, w, day); err == nil {
			return number, nil
		}
	}
	if w.Number == "" {
		w.Number = s.numbers.next(w.Created.In(loc))
	}
	s.log.Warn("store: work order kept in the spool until the database takes it",
		"work_order", w.Number, "err", err)
	s.pipe.PutNow(record{WorkOrder: &spooledWorkOrder{WorkOrder: w, Day: day}})
	return w.Number, nil
}

func (s *Store) insertWorkOrder(ctx context.Context, w WorkOrder, day string) (string, error) {
	for range 5 {
		var seq int64
		q := s.db().Rebind("SELECT COALESCE(MAX(seq), 0) + 1 FROM work_orders WHERE day = ?")
		if err := s.db().GetContext(ctx, &seq, q, day); err != nil {
			return "", fmt.Errorf("store: work order sequence: %w", err)
		}
		number := w.Number
		if number == "" {
			number = fmt.Sprintf("F%s-%04d", day, seq)
		}
		_, err := s.db().ExecContext(ctx, s.db().Rebind(
			"INSERT INTO work_orders (number, day, seq, call_id, account, caller, recording, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
			clip(number, maxNumberLen), day, seq, clip(w.CallID, maxIDLen), clip(w.Account, maxNumberLen),
			clip(w.Caller, maxNumberLen), clip(w.Recording, maxFileLen), ms(w.Created))
		if err == nil {
			return number, nil
		}
		if !(s.d.isPermanent(err) || strings.Contains(err.Error(), "Duplicate entry")) || ctx.Err() != nil {
			return "", fmt.Errorf("store: save work order: %w", err)
		}
		// A concurrent caller took this sequence number: take the next.
	}
	return "", fmt.Errorf("store: save work order: sequence contention on %s", day)
}

// WorkOrders lists work orders created in [from, to), newest first.
func (s *Store) WorkOrders(ctx context.Context, from, to time.Time) ([]WorkOrder, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	var rows []workOrderRow
	q := s.db().Rebind("SELECT number, call_id, account, caller, recording, created_ms FROM work_orders " +
		"WHERE created_ms >= ? AND created_ms < ? ORDER BY created_ms DESC, number LIMIT 1000")
	if err := s.db().SelectContext(ctx, &rows, q, ms(from), ms(to)); err != nil {
		return nil, fmt.Errorf("store: work orders: %w", unavailable(err))
	}
	out := make([]WorkOrder, len(rows))
	for i, r := range rows {
		out[i] = WorkOrder{Number: r.Number, CallID: r.CallID, Account: r.Account, Caller: r.Caller,
			Recording: r.Recording, Created: fromMS(r.CreatedMS)}
	}
	return out, nil
}

// WorkOrderByRecording finds the work order whose recording is file.
func (s *Store) WorkOrderByRecording(ctx context.Context, file string) (WorkOrder, error) {
	if err := s.connected(); err != nil {
		return WorkOrder{}, err
	}
	var r workOrderRow
	q := s.db().Rebind("SELECT number, call_id, account, caller, recording, created_ms FROM work_orders WHERE recording = ?")
	if err := s.db().GetContext(ctx, &r, q, file); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNotFound
		}
		return WorkOrder{}, fmt.Errorf("store: work order of %s: %w", file, unavailable(err))
	}
	return WorkOrder{Number: r.Number, CallID: r.CallID, Account: r.Account, Caller: r.Caller,
		Recording: r.Recording, Created: fromMS(r.CreatedMS)}, nil
}
