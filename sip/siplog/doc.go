// Package siplog keeps the SIP endpoint's logs safe to keep: sipgo's own
// records lowered to debug (it reports every unparsable datagram, which
// on a public number is scanner noise), SDES keys redacted from anything
// it logs, sipgo's process-wide default logger set once, and caller
// numbers masked.
//
// It owns these log handlers only. It must not decide what the endpoint
// logs or hold a call's state.
package siplog
