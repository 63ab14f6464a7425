package spool

import (
	"context"
	"log/slog"
	"time"
)

// Sink writes records to the database. Write resolves records from the
// front of recs (written, or rejected for their content) and returns how
// many it resolved; a non-nil error means the rest could not be written now
// (the database is down or slow) and must be kept.
type Sink[R any] interface {
	Write(ctx context.Context, recs []R) (int, error)
}

// Hooks let the server export the writer's health as metrics. Each is
// optional. All but SpoolFailure are called from the writer's goroutine;
// SpoolFailure may also come from the spiller's goroutine.
type Hooks struct {
	QueueLength  func(records int)              // in-memory queue after each pass
	SpoolSize    func(records int, bytes int64) // spooled records after each pass
	WriteError   func(err error)                // a write failed (the records were kept)
	Rejected     func(err error)                // a record was refused for its content and set aside
	RowsWritten  func(records int)              // records written to the database
	SpoolFailure func(err error)                // the spool itself failed (disk full, ...)
}

// Config is what a Writer needs; every field but Reach, OpenErr, Hooks and
// Resolved is required.
type Config[R Record] struct {
	Spool *Spool[R]
	Log   *slog.Logger
	Hooks Hooks
	// Reach connects to a database that could not be reached at Start
	// (OpenErr says why); it is tried on the retry schedule until it gives
	// a sink.
	Reach   func(ctx context.Context) (Sink[R], error)
	OpenErr error
	// MaxQueue bounds the in-memory queue; BatchSize is the records per
	// write, Timeout the time a write may take.
	MaxQueue  int
	BatchSize int
	Timeout   time.Duration
	// RetryMin is the first wait after a failed write, doubling up to RetryMax.
	RetryMin time.Duration
	RetryMax time.Duration
	// Resolved sees the records each write resolved, on the writer's goroutine.
	Resolved func([]R)
}
