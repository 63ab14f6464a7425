// Package app assembles the server from its configuration: prompts, IVR
// flows, the media engine, the SIP endpoint, the ACD runtime, metrics,
// records and HTTP. cmd/hotline and the end-to-end tests both start the
// server through it.
//
// Today it also owns things that will move out of it: the call path
// (handleCall: feature codes, the IVR flow of the dialled number, the
// queue it hands the caller to, consult calls) and the features built on
// it (callbacks, care, webhooks, reload). The ACD runtime is package
// queueing: the call path and the features reach it only through the
// queueing.Queueing interface (queueing.go wires the standalone runtime). Supervisor monitoring
// lives in package monitor: the call path tells it about bridges through
// the bridgeWatcher hook, and monitor.go rings supervisors for it.
//
// What it must not do: no I/O, blocking or logging per event while holding
// the ACD runtime's lock (records, webhooks and look-ups go through their
// own queues); no reading of the wall clock where the server's injected
// clock is meant; and a feature should ask through the runtime's methods
// instead of taking rt.mu itself. Decisions about who gets a call belong in
// acd and what the IVR does next in ivr, not here.
package app
