// Package spool is the store's write path: a bounded in-memory queue, one
// writer goroutine that writes batches to the database, and an fsync'd
// append-only spool on local disk that takes the records while the database
// is down or slow, or the queue is full, and gives them back in order when
// it answers again, also after a restart. A spiller goroutine does the
// spool's appends and fsyncs, so that a producer never waits on the disk.
//
// It owns the order of records from producer to database and their
// survival across outages and restarts. It knows nothing of what a record
// holds: the records are a type parameter, and the database is a Sink that
// the caller (package store) provides.
//
// It must not block a producer (Put does no I/O), must not drop a record to
// keep up, and must not import store or know SQL.
package spool

import "errors"

// Errors returned by the writer; store hands them on as its own.
var (
	// ErrClosed: the writer has been closed.
	ErrClosed = errors.New("store: closed")
	// ErrDatabaseUnavailable: the database has not been reached since the
	// writer started; records wait in the spool.
	ErrDatabaseUnavailable = errors.New("store: database unavailable")
)
