// Package sdp is the SDP offer/answer of an audio call (RFC 3264): it
// picks the codec, telephone-event payload type, direction, ptime and
// address from an offer, writes the answer with every other m-line
// rejected in place, and builds offers, plain or with an SDES key.
//
// It owns parsing and writing SDP bodies. It must not open sockets, know
// SIP or keep state between calls; an offer that cannot be honoured gets
// an error the SIP layer maps to 400 or 488.
package sdp
