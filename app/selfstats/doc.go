// Package selfstats exports the server's own health on /metrics: the
// record pipeline (spool, write queue, database up, write errors), what
// the event bus's slow subscribers dropped or spilled, and the media
// engine's RTCP and stream quality, which media reports through observers
// because it does not import metrics.
//
// It only registers series that read the parts' counters when scraped.
// It must not keep counts of its own, block a publisher, or import app.
package selfstats
