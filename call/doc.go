// Package call holds what every other package agrees on about a call: the
// typed events that each step of its life emits, and the bus that carries
// them to metrics, records, the wallboard, the SSE stream and webhooks.
// Every figure is derived from this one stream, so a replay of events
// reproduces every figure.
//
// It imports no other package of this repository, and must not: everything
// else imports it. The Bus delivers synchronously on the publisher's
// goroutine, which may hold the ACD runtime's lock, so a Subscriber must not
// block or do I/O (see Subscriber).
package call
