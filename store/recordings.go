package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
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
		Started: fromMS(r.StartedMS), Duration: d, DurationSeconds: d.Seconds(), Bytes: r.Bytes,
	}
}

const recordingColumns = "call_id, queue, agent, file, started_ms, duration_ms, bytes"

// SaveRecording hands a recording's row to the writer: it never waits for
// the database, and an outage keeps the row in the spool until the
// database is back (then it is listed, served and swept like any other).
// Saving a call's recording again replaces its row. The only error is
// ErrBadRecording.
func (s *Store) SaveRecording(r Recording) error {
	if r.CallID == "" || r.File == "" {
		return fmt.Errorf("store: save recording: call id and file are required: %w", ErrBadRecording)
	}
	s.pipe.PutNow(record{Recording: &spooledRecording{
		CallID: r.CallID, Queue: r.Queue, Agent: r.Agent, File: r.File,
		Started: r.Started, DurationMS: r.Duration.Milliseconds(), Bytes: r.Bytes,
	}})
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
func (s *Store) Recordings(ctx context.Context, f RecordingFilter) ([]Recording, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	where := []string{"started_ms >= ?", "started_ms < ?"}
	args := []any{ms(f.From), ms(f.To)}
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
	return s.recordingsWhere(ctx, strings.Join(where, " AND ")+fmt.Sprintf(" ORDER BY started_ms DESC, call_id LIMIT %d", limit), args...)
}

// RecordingOf finds the recording of one call, or ErrNotFound.
func (s *Store) RecordingOf(ctx context.Context, callID string) (Recording, error) {
	if err := s.connected(); err != nil {
		return Recording{}, err
	}
	rows, err := s.recordingsWhere(ctx, "call_id = ?", callID)
	if err != nil {
		return Recording{}, err
	}
	if len(rows) == 0 {
		return Recording{}, ErrNotFound
	}
	return rows[0], nil
}

// ExpiredRecordings lists up to limit recordings of queue that started
// before cutoff, oldest first, for the retention sweeper.
func (s *Store) ExpiredRecordings(ctx context.Context, queue string, cutoff time.Time, limit int) ([]Recording, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	return s.recordingsWhere(ctx, fmt.Sprintf("queue = ? AND started_ms < ? ORDER BY started_ms LIMIT %d", max(limit, 1)), queue, ms(cutoff))
}

// DeleteRecording removes a recording's row and clears the file name on
// its call record.
func (s *Store) DeleteRecording(ctx context.Context, callID string) error {
	if err := s.connected(); err != nil {
		return err
	}
	if _, err := s.db().ExecContext(ctx, s.db().Rebind("DELETE FROM recordings WHERE call_id = ?"), callID); err != nil {
		return fmt.Errorf("store: delete recording %s: %w", callID, err)
	}
	if _, err := s.db().ExecContext(ctx, s.db().Rebind("UPDATE calls SET recording_file = '' WHERE call_id = ?"), callID); err != nil {
		return fmt.Errorf("store: delete recording %s: call record: %w", callID, err)
	}
	return nil
}

func (s *Store) recordingsWhere(ctx context.Context, where string, args ...any) ([]Recording, error) {
	var rows []recordingRow
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind("SELECT "+recordingColumns+" FROM recordings WHERE "+where), args...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: recordings: %w", err)
	}
	out := make([]Recording, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.recording())
	}
	return out, nil
}
