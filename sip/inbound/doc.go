// Package inbound is the caller's side of a call the endpoint answered:
// the Call with its dialog, media stream and how it ended, and the
// requests of its dialog once it is answered. It answers re-INVITEs and
// UPDATEs (hold, resume, a new address or codec, a session refresh),
// makes and applies late offers (our offer in the 200 or in the answer to
// a re-INVITE without SDP, the caller's answer in the ACK), runs the
// session timer (RFC 4028: refresh when we are the refresher, end the call
// when the caller's refresh never comes) and reads the caller's BYE and
// INFO digits.
//
// It reaches the endpoint only through Host: replies, our Contact, the
// session timer policy, the transaction timeout and the codecs we offer.
// It must not route calls, count channels, publish call events, keep the
// table of calls (the endpoint looks a dialog up and passes its requests
// here) or touch the agent legs (package leg).
package inbound
