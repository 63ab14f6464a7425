// Package cdr is the call detail record: the record of one call, its
// stays in queues and their outcomes, and the Builder that folds a call's
// events into it (duplicates skipped, hold and talk summed per agent,
// callbacks carrying on the visit of the call they came from).
//
// It owns what a record says about a call, and the records that come
// beside it: dispositions, survey answers, wrap-ups and agent state
// changes. Package store's Recorder keeps one Builder per open call,
// decides when a record is written, and writes it; package report counts
// the visits by their outcomes.
//
// It must not read the clock (times come from the events and from the
// Recorder), keep state across calls, do I/O, or import store.
package cdr
