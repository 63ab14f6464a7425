// Package selfservice is the hotline's self-service feature: account
// look-ups against the configured account services (with timeouts, retries
// and a circuit breaker), the built-in demo account service, the outage
// notice board and its API, and fault reports (the caller's voice message,
// the work-order receiver and the fault API).
//
// A Service owns this state and is built from explicit dependencies: the
// configured services, the data directory, the languages, a store, a clock
// and a logger. It never sees the server: the call path (which turns IVR
// actions into calls on the Service and drives the caller's RTP) and the
// wiring live in the composition root, app.
//
// The package must not import app, sip or acd, and it takes no other
// part's lock: the call path reaches it only through its methods, and the
// HTTP API only through the web control interfaces it returns.
package selfservice
