// Package sip is the server's SIP endpoint on github.com/emiago/sipgo: it
// listens on UDP, TCP and TLS, guards each source (rate limits, bans,
// scanners), answers calls to the configured hotline numbers, keeps their
// dialogs, registers and authenticates agents, dials agents' phones (agent
// legs, consult calls) and callbacks, and turns SIP into calls and events.
//
// sipgo types stay inside this package. It must not decide routing: which
// flow a number runs, which agent gets a call and what the IVR does belong
// to app, acd and ivr. It must not import them either; it offers calls,
// legs and events through its own types and callbacks.
package sip
