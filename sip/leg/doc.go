// Package leg is the server's outbound legs: its calls to agents' phones
// (the second leg of the back-to-back user agent), to colleagues for a
// consult, and to customers called back through the gateway or a trunk.
// It places a leg from a fresh RTP port (Dialer.Place, Dial), keeps its
// dialog, media, hold state and transfer requests, answers the requests
// of its dialog (BYE, re-INVITE, REFER with its NOTIFYs) and records how
// it ended (Ending, which the caller's call in package sip keeps too).
//
// It reaches the endpoint only through Host: the endpoint routes a leg's
// in-dialog requests to it from before its ACK leaves (Keep) until it ends
// (Forget), and names our Contact. It must not route calls, build the
// endpoint's INVITEs, hold the caller's side, or let sipgo types out of
// sip/.
package leg
