// Package rolling is the arithmetic of the rolling service windows (15
// minutes, 30 minutes and today since local midnight): it folds queue and
// agent-state events into 10-second buckets and computes each queue's
// service level, abandon rate, ASA and occupancy as docs/kpis.md defines
// them.
//
// What it must not do: read a clock of its own (the read side is given
// one; events carry their time), export to Prometheus or know about
// HTTP (package metrics shows the figures), or reach the store.
package rolling
