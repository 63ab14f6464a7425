// Package sip is the server's SIP endpoint on github.com/emiago/sipgo: it
// listens on UDP, TCP and TLS, puts every out-of-dialog request past the
// guard (sip/guard: rate limits, bans, scanners, digest authentication),
// answers calls to the configured hotline numbers once sip/admission has
// admitted them (number, identity, channel), keeps their dialogs
// and passes each dialog's requests to its call (sip/inbound) or leg
// (sip/leg), registers agents (sip/registrar), dials agents' phones (agent legs,
// consult calls) and callbacks, and turns SIP into calls and events.
// sip/sipheader parses the extension headers it relies on.
//
// sipgo types stay inside sip/ (this package and its sub-packages). It must not decide routing: which
// flow a number runs, which agent gets a call and what the IVR does belong
// to app, acd and ivr. It must not import them either; it offers calls,
// legs and events through its own types and callbacks.
package sip
