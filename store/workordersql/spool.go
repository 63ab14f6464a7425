package workordersql

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// Spooled is a work order whose number is already decided (the
// receiver's, or one given while the database was out of reach) and the
// day its sequence number is taken in when it is written.
type Spooled struct {
	WorkOrder
	Day string `json:"day"`
}

// Sink writes spooled work orders in the writer's batches.
type Sink struct {
	existsSQL, seqSQL, insertSQL string
}

// NewSink prepares the statements for db.
func NewSink(db *sqlx.DB) *Sink {
	return &Sink{
		// A work order is there already under its number, or as the same
		// report (call, time, message) numbered by a direct save whose
		// answer was lost with the connection.
		existsSQL: db.Rebind("SELECT COUNT(*) FROM work_orders WHERE number = ? OR " +
			"(call_id = ? AND created_ms = ? AND recording = ?)"),
		seqSQL: db.Rebind("SELECT COALESCE(MAX(seq), 0) + 1 FROM work_orders WHERE day = ?"),
		insertSQL: db.Rebind("INSERT INTO work_orders (number, day, seq, call_id, account, caller, recording, created_ms) " +
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
	}
}

// Write inserts a work order unless it is there already; its sequence
// number is the next of its day, taken in the same transaction.
func (k *Sink) Write(ctx context.Context, tx *sqldb.Tx, w *Spooled) error {
	number, callID := sqldb.Clip(w.Number, sqldb.MaxNumberLen), sqldb.Clip(w.CallID, sqldb.MaxIDLen)
	recording := sqldb.Clip(w.Recording, sqldb.MaxFileLen)
	var n int
	if err := tx.Get(ctx, &n, k.existsSQL, number, callID, sqldb.MS(w.Created), recording); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	var seq int64
	if err := tx.Get(ctx, &seq, k.seqSQL, w.Day); err != nil {
		return err
	}
	return tx.Exec(ctx, k.insertSQL, number, w.Day, seq, callID, sqldb.Clip(w.Account, sqldb.MaxNumberLen),
		sqldb.Clip(w.Caller, sqldb.MaxNumberLen), recording, sqldb.MS(w.Created))
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
