// Package report is the arithmetic of the reports of docs/kpis.md: report
// intervals on a wall clock, figures that may be undefined, the queue
// indicators per queue and interval, the agent indicators, the repeat
// callers of a month, and CSV output.
//
// It owns how rows become figures. Package store reads the rows (queue
// visits, dispositions, wrap-ups, surveys, agent states) with its SQL and
// hands them here.
//
// It must not import store, know SQL or a database, read the clock (a state
// still current is counted up to the end store gives), or do I/O beyond
// the writer WriteCSV is given.
package report
