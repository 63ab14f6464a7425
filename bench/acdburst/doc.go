// Package acdburst measures the ACD under a burst: 500 callers arriving
// within one second into a queue served by 200 available agents, with the
// real server, its SIP and media path and Go test phones in one process.
//
// Run it with
//
//	go test -run '^$' -bench Burst -benchtime 1x -count 3 ./bench/acdburst/
//
// The target and the figures are in bench/README.md ("ACD burst"). The
// non-test files hold the pure parts (percentiles, the event recorder,
// process CPU time) so that they are unit-tested apart from the run.
//
// It measures and never asserts a time: the figures are reported, and the
// target is judged in bench/README.md. It must not change the server to
// make the burst easier: it starts the real server through app.Prepare,
// as cmd/hotline does.
package acdburst
