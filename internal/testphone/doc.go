// Package testphone is a scriptable SIP phone for end-to-end tests: it
// places calls over UDP, TCP or TLS (with SDES-SRTP media), sends and
// records RTP, sends DTMF (RFC 4733 or SIP INFO), holds, re-INVITEs and
// hangs up, and reports what it heard. As an agent softphone it also
// registers with digest authentication, answers (or rejects, or lets ring)
// incoming calls, and transfers calls with REFER.
//
// This package holds the SIP side and the phone's API. The media lives in
// its sub-packages, which never import it: rtpaudio (RTP, codecs, DTMF,
// SRTP, what was heard) and sdpoffer (offers and answers); media.go keeps
// their names (MediaStats, the errors, the directions) here as aliases, as
// register.go does for sipregister (REGISTERs built and read, sent through
// the phone's socket) and sipdigest (challenges answered).
//
// It must not import anything else in this repository (its sub-packages
// aside, and rtpaudio only the server's G.722 codec), so that it stays an
// independent check of the server's SIP and media handling; and it is for
// tests only: the server never imports it.
package testphone
