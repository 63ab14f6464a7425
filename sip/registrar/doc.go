// Package registrar keeps agents' registrations (RFC 3261 section 10) in
// memory: each agent's bindings with their expiry, the per-agent cap on
// phones, and the refusal of intervals too brief or requests out of order.
//
// It owns the bindings. It must not authenticate (the endpoint checks the
// digest first), answer requests or read the clock except through the one
// it is given.
package registrar
