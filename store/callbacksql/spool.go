package callbacksql

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// Spooled is a callbacks row as the spool keeps it.
type Spooled struct {
	CallbackID    string    `json:"callback_id"`
	CallID        string    `json:"call_id"`
	Queue         string    `json:"queue"`
	Priority      int       `json:"priority,omitempty"`
	Caller        string    `json:"caller,omitempty"`
	Number        string    `json:"number"`
	HotlineNumber string    `json:"hotline_number,omitempty"`
	Language      string    `json:"language,omitempty"`
	Queued        time.Time `json:"queued"`
	GiveUp        time.Time `json:"give_up"`
	Attempts      int       `json:"attempts,omitempty"`
}

func spooledFrom(p PendingCallback) *Spooled {
	return &Spooled{
		CallbackID: p.CallbackID, CallID: p.CallID, Queue: p.Queue, Priority: p.Priority, Caller: p.Caller,
		Number: p.Number, HotlineNumber: p.HotlineNumber, Language: p.Language,
		Queued: p.Queued, GiveUp: p.GiveUp, Attempts: p.Attempts,
	}
}

// pending is the callback as PendingCallbacks would read its row back.
func (c *Spooled) pending() PendingCallback {
	return PendingCallback{
		CallbackID: sqldb.Clip(c.CallbackID, sqldb.MaxIDLen), CallID: sqldb.Clip(c.CallID, sqldb.MaxIDLen), Queue: sqldb.Clip(c.Queue, sqldb.MaxNameLen),
		Priority: c.Priority, Caller: sqldb.Clip(c.Caller, sqldb.MaxNumberLen), Number: sqldb.Clip(c.Number, sqldb.MaxNumberLen),
		HotlineNumber: sqldb.Clip(c.HotlineNumber, sqldb.MaxNumberLen), Language: sqldb.Clip(c.Language, sqldb.MaxLanguageLen),
		Queued: sqldb.FromMS(sqldb.MS(c.Queued)), GiveUp: sqldb.FromMS(sqldb.MS(c.GiveUp)), Attempts: c.Attempts,
	}
}

// Write upserts a pending callback by its id. A save never lowers
// the attempts already written, so replaying an older save is harmless. The
// save of a callback that has ended is not written at all: its end is on
// its way or, had the two been written out of order, already written.
func (k *Sink) Write(ctx context.Context, tx *sqldb.Tx, c *Spooled) error {
	if k.ended != nil && k.ended(c.CallbackID) {
		return nil
	}
	return tx.Exec(ctx, k.callbackSQL, sqldb.Clip(c.CallbackID, sqldb.MaxIDLen), sqldb.Clip(c.CallID, sqldb.MaxIDLen),
		sqldb.Clip(c.Queue, sqldb.MaxNameLen), c.Priority, sqldb.Clip(c.Caller, sqldb.MaxNumberLen), sqldb.Clip(c.Number, sqldb.MaxNumberLen),
		sqldb.Clip(c.HotlineNumber, sqldb.MaxNumberLen), sqldb.Clip(c.Language, sqldb.MaxLanguageLen), sqldb.MS(c.Queued), sqldb.MS(c.GiveUp), c.Attempts)
}

// Done marks a callback that was answered or gave up: its row in
// callbacks goes, so that a restart does not dial the customer again.
type Done struct {
	CallbackID string `json:"callback_id"`
}

// Sink writes the spooled saves and ends in the writer's batches.
type Sink struct {
	callbackSQL, callbackDoneSQL string
	ended                        func(id string) bool
}

// NewSink prepares the statements for db. ended tells whether a
// callback's end is known (Table.Ended): its saves are not written.
func NewSink(db *sqlx.DB, d sqldb.Dialect, ended func(id string) bool) *Sink {
	return &Sink{
		callbackSQL:     db.Rebind(d.InsertSQL("callbacks", []string{"callback_id"}, callbackColumns, "attempts")),
		callbackDoneSQL: db.Rebind("DELETE FROM callbacks WHERE callback_id = ?"),
		ended:           ended,
	}
}

// WriteDone deletes an ended callback's row in the batch's transaction.
func (k *Sink) WriteDone(ctx context.Context, tx *sqldb.Tx, d *Done) error {
	return tx.Exec(ctx, k.callbackDoneSQL, sqldb.Clip(d.CallbackID, sqldb.MaxIDLen))
}
