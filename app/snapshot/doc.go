// Package snapshot compiles a configuration into what the parts take: the
// routing table (numbers to parsed and validated IVR flows, calendars,
// notices, agents' passwords), the ACD's agents and queues with the call
// path's queue settings, the metrics' queues and thresholds, workforce's
// rules and agents, and the early media of each number. It checks all of
// it against the prompt set and reports every problem at once, with the
// file and line where the configuration can name them.
//
// A snapshot is built whole and never changed: the server applies the
// first at start, and a reload compiles the next. It must not start
// anything, hold or apply state, or import app.
package snapshot
