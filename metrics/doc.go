// Package metrics turns the call event stream into Prometheus series and
// the rolling windows the wallboard shows. The names, labels and
// definitions follow docs/kpis.md; raw counters and histograms are the
// source of truth so any variant of a formula can be written in PromQL.
//
// It folds events in memory on the publisher's goroutine, so it must not
// block or do I/O there. It reads the live queue state only through the
// snapshot function it is given, never through another part's lock, and it
// reads no clock of its own: windows take an injected one. Caller numbers
// and call ids never become label values.
package metrics
