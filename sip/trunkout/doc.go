// Package trunkout sends the endpoint's own requests to carriers' trunks:
// OPTIONS to see that a trunk is there, and REGISTER (answering a digest
// challenge) to keep our contact registered with a provider, reading the
// time the registrar granted.
//
// It owns building, sending and reading these requests. It must not
// decide when to ping or register (package trunk does), keep their
// schedule, or log a password.
package trunkout
