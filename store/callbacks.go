package store

import (
	"context"
	"fmt"
	"time"
)

// CalledSince reports whether number called the hotline at or after since.
// It backs the callback anti-fraud rule: a callback may go to another
// number only if that number has called in itself.
func (s *Store) CalledSince(ctx context.Context, number string, since time.Time) (bool, error) {
	if err := s.connected(); err != nil {
		return false, err
	}
	if number == "" {
		return false, nil
	}
	var n int
	err := s.db().GetContext(ctx, &n, s.db().Rebind(`SELECT COUNT(*) FROM calls
WHERE caller = ? AND arrived_ms >= ?`), number, ms(since))
	if err != nil {
		return false, fmt.Errorf("store: called since: %w", err)
	}
	return n > 0, nil
}

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

// SaveCallback writes (or rewrites) a pending callback. It writes at once,
// not through the record queue: the row matters only while the callback is
// pending, and a failure is reported to the caller, which keeps the
// callback in memory regardless.
func (s *Store) SaveCallback(ctx context.Context, p PendingCallback) error {
	if err := s.connected(); err != nil {
		return err
	}
	query := s.db().Rebind(s.d.insertSQL("callbacks", []string{"callback_id"}, callbackColumns, ""))
	_, err := s.db().ExecContext(ctx, query, clip(p.CallbackID, 255), clip(p.CallID, 255), clip(p.Queue, 128),
		p.Priority, clip(p.Caller, 64), clip(p.Number, 64), clip(p.HotlineNumber, 64), clip(p.Language, 16),
		ms(p.Queued), ms(p.GiveUp), p.Attempts)
	if err != nil {
		return fmt.Errorf("store: save callback: %w", err)
	}
	return nil
}

// DeleteCallback forgets a callback that was answered or gave up. It goes
// through the writer, so an outage delays the delete but does not lose it,
// and from now on PendingCallbacks leaves the callback out even while its
// row waits to be deleted: a restart does not dial the customer again.
func (s *Store) DeleteCallback(callbackID string) {
	s.done.add(callbackID)
	s.pipe.putNow(record{CallbackDone: &callbackDone{CallbackID: callbackID}})
}

// PendingCallbacks lists the saved callbacks, earliest queued first (the
// order that keeps their places), without those DeleteCallback has ended.
func (s *Store) PendingCallbacks(ctx context.Context) ([]PendingCallback, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	var rows []struct {
		PendingCallback
		QueuedMS int64 `db:"queued_ms"`
		GiveUpMS int64 `db:"give_up_ms"`
	}
	err := s.db().SelectContext(ctx, &rows, `SELECT callback_id, call_id, queue, priority, caller, number,
hotline_number, language, queued_ms, give_up_ms, attempts FROM callbacks ORDER BY queued_ms, callback_id`)
	if err != nil {
		return nil, fmt.Errorf("store: pending callbacks: %w", err)
	}
	out := make([]PendingCallback, 0, len(rows))
	for _, r := range rows {
		if s.done.has(r.CallbackID) {
			continue
		}
		p := r.PendingCallback
		p.Queued, p.GiveUp = fromMS(r.QueuedMS), fromMS(r.GiveUpMS)
		out = append(out, p)
	}
	return out, nil
}
