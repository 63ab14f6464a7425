// Package callflow is the life of an answered call: an agent's feature
// code or consult call, or the IVR flow of the dialled number, the queue
// it hands the caller to (music, announcements, the talk with an agent,
// hold and transfers) and back to the IVR when the queue sends the caller
// there, until the call ends with one CallEnded event.
//
// It owns the call's goroutine and the adapters between sip, media and
// ivr (the self-service leg). It reaches the ACD only through package
// queueing, and the features only through the hooks in hooks.go: before
// queueing, the enqueue preference, on bridge, after talk (care), while
// waiting (virtual hold) and the bridge watcher (supervisor monitoring).
//
// It must not: decide who gets a call (acd) or what the IVR does next
// (ivr); import a feature package's internals or take another part's
// lock; read the wall clock where the server's clock is meant.
package callflow
