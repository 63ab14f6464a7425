// Package store keeps the records of the hotline: one call detail record
// per call, agent state changes, dispositions, survey answers and the
// current agent status, in SQLite (the default, in the data directory) or
// MySQL/MariaDB. The reports of docs/kpis.md are read by package
// reportsql and computed by package report. The call detail record and the fold
// of a call's events into it are package cdr; this package's Recorder
// keeps one fold per open call and decides when its record is written.
//
// Records come from the call event stream through a Recorder. Writes go
// through a bounded in-memory queue and one writer goroutine; when the
// database is down or slow, or the queue is full, records go to an
// append-only spool on local disk and are written, in order, when the
// database is back. That write path is package store/spool; this package
// gives it the records and the database's sink (sink.go). A database outage delays records; it does not lose them
// and does not hold up a call. That holds at startup too: a store whose
// database cannot be reached opens without it (see Open).
//
// The tables beside the call records (tickets, reviews, shifts, notices,
// work orders, callbacks, recordings, the audit log) and the reads behind
// the reports are packages of their own (ticketsql, reviewsql, shiftsql,
// noticesql, workordersql, callbacksql, recordingsql, auditsql, reportsql),
// each given the database through package sqldb and, where its rows go
// through the writer, a way to hand them over. The Store embeds them
// (tables.go), so their methods are the Store's (the callbacks' three are
// forwarded, keeping the ledger's plumbing off the Store). This package keeps the
// connection, the migrations, the write path's wiring, and the call
// records: the Recorder, the record written for each, and their reads.
//
// It must not do I/O on the publisher's goroutine (the Recorder only folds
// events and hands records on), must not drop a record to keep up, and must
// not know the ACD or SIP: it imports only the call events.
package store
