package recordingsql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// Recording is one call's quality recording. File is relative to the
// recordings directory (YYYY/MM/DD/<call id>.wav).
type Recording struct {
	CallID   string        `json:"call_id" db:"call_id"`
	Queue    string        `json:"queue" db:"queue"`
	Agent    string        `json:"agent" db:"agent"`
	File     string        `json:"file" db:"file"`
	Started  time.Time     `json:"started" db:"-"`
	Duration time.Duration `json:"-" db:"-"`
	Bytes    int64         `json:"bytes" db:"bytes"`
	// DurationSeconds is Duration for JSON readers.
	DurationSeconds float64 `json:"duration_seconds" db:"-"`
}

type recordingRow struct {
	CallID     string `db:"call_id"`
	Queue      string `db:"queue"`
	Agent      string `db:"agent"`
	File       string `db:"file"`
	StartedMS  int64  `db:"started_ms"`
	DurationMS int64  `db:"duration_ms"`
	Bytes      int64  `db:"bytes"`
}

func (r recordingRow) recording() Recording {
	d := time.Duration(r.DurationMS) * time.Millisecond
	return Recording{
		CallID: r.CallID, Queue: r.Queue, Agent: r.Agent, File: r.File,
		Started: sqldb.FromMS(r.StartedMS), Duration: d, DurationSeconds: d.Seconds(), Bytes: r.Bytes,
	}
}

const recordingColumns = "call_id, queue, agent, file, started_ms, duration_ms, bytes"

// Spooled is a recordings row as the spool keeps it.
type Spooled struct {
	CallID     string    `json:"call_id"`
	Queue      string    `json:"queue,omitempty"`
	Agent      string    `json:"agent,omitempty"`
	File       string    `json:"file"`
	Started    time.Time `json:"started"`
	DurationMS int64     `json:"duration_ms,omitempty"`
	Bytes      int64     `json:"bytes,omitempty"`
}

// Table is the recordings: a row goes through the store's writer, reads
// and deletes to the database.
type Table struct {
	h   *sqldb.Handle
	put func(*Spooled)
}

// New is the recordings table on h; put hands a row to the writer and
// returns once it is durable.
func New(h *sqldb.Handle, put func(*Spooled)) *Table { return &Table{h: h, put: put} }

// Sink writes spooled rows in the writer's batches.
type Sink struct{ insertSQL string }

// NewSink prepares the statement for db.
func NewSink(db *sqlx.DB, d sqldb.Dialect) *Sink {
	return &Sink{insertSQL: db.Rebind(d.InsertSQL("recordings", []string{"call_id"}, []string{
		"call_id", "queue", "agent", "file", "started_ms", "duration_ms", "bytes"}, ""))}
}

// Write writes one row in the batch's transaction.
func (k *Sink) Write(ctx context.Context, tx *sqldb.Tx, r *Spooled) error {
	return tx.Exec(ctx, k.insertSQL, sqldb.Clip(r.CallID, sqldb.MaxIDLen), sqldb.Clip(r.Queue, sqldb.MaxNameLen),
		sqldb.Clip(r.Agent, sqldb.MaxNameLen), sqldb.Clip(r.File, sqldb.MaxFileLen), sqldb.MS(r.Started), r.DurationMS, r.Bytes)
}

// SaveRecording hands a recording's row to the writer: it never waits for
// the database, and an outage keeps the row in the spool until the
// database is back (then it is listed, served and swept like any other).
// Saving a call's recording again replaces its row. The only error is
// ErrBadRecording.
func (tb *Table) SaveRecording(r Recording) error {
	if r.CallID == "" || r.File == "" {
		return fmt.Errorf("store: save recording: call id and file are required: %w", ErrBadRecording)
	}
	tb.put(&Spooled{
		CallID: r.CallID, Queue: r.Queue, Agent: r.Agent, File: r.File,
		Started: r.Started, DurationMS: r.Duration.Milliseconds(), Bytes: r.Bytes,
	})
	return nil
}

// ErrBadRecording: a recording without a call id or file.
var ErrBadRecording = errors.New("store: bad recording")

// RecordingFilter selects recordings that started in [From, To); empty
// Queue and Agent match all; Limit 0 means 1000.
type RecordingFilter struct {
	From, To time.Time
	Queue    string
	Agent    string
	Limit    int
}

// Recordings lists recordings, newest first.
func (tb *Table) Recordings(ctx context.Context, f RecordingFilter) ([]Recording, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	where := []string{"started_ms >= ?", "started_ms < ?"}
	args := []any{sqldb.MS(f.From), sqldb.MS(f.To)}
	if f.Queue != "" {
		where, args = append(where, "queue = ?"), append(args, f.Queue)
	}
	if f.Agent != "" {
		where, args = append(where, "agent = ?"), append(args, f.Agent)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return recordingsWhere(ctx, db, strings.Join(where, " AND ")+fmt.Sprintf(" ORDER BY started_ms DESC, call_id LIMIT %d", limit), args...)
}

// RecordingOf finds the recording of one call, or sqldb.ErrNotFound.
func (tb *Table) RecordingOf(ctx context.Context, callID string) (Recording, error) {
	db, err := tb.h.DB()
	if err != nil {
		return Recording{}, err
	}
	rows, err := recordingsWhere(ctx, db, "call_id = ?", callID)
	if err != nil {
		return Recording{}, err
	}
	if len(rows) == 0 {
		return Recording{}, sqldb.ErrNotFound
	}
	return rows[0], nil
}

// ExpiredRecordings lists up to limit recordings of queue that started
// before cutoff, oldest first, for the retention sweeper.
func (tb *Table) ExpiredRecordings(ctx context.Context, queue string, cutoff time.Time, limit int) ([]Recording, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	return recordingsWhere(ctx, db, fmt.Sprintf("queue = ? AND started_ms < ? ORDER BY started_ms LIMIT %d", max(limit, 1)), queue, sqldb.MS(cutoff))
}

// DeleteRecording removes a recording's row and clears the file name on
// its call record.
func (tb *Table) DeleteRecording(ctx context.Context, callID string) error {
	db, err := tb.h.DB()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, db.Rebind("DELETE FROM recordings WHERE call_id = ?"), callID); err != nil {
		return fmt.Errorf("store: delete recording %s: %w", callID, err)
	}
	if _, err := db.ExecContext(ctx, db.Rebind("UPDATE calls SET recording_file = '' WHERE call_id = ?"), callID); err != nil {
		return fmt.Errorf("store: delete recording %s: call record: %w", callID, err)
	}
	return nil
}

func recordingsWhere(ctx context.Context, db *sqlx.DB, where string, args ...any) ([]Recording, error) {
	var rows []recordingRow
	err := db.SelectContext(ctx, &rows, db.Rebind("SELECT "+recordingColumns+" FROM recordings WHERE "+where), args...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: recordings: %w", err)
	}
	out := make([]Recording, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.recording())
	}
	return out, nil
}
