// Package testphone is a scriptable SIP phone for end-to-end tests: it
// places calls over UDP, TCP or TLS (with SDES-SRTP media, srtp.go), sends
// and records RTP, sends DTMF (RFC 4733 or SIP INFO), holds, re-INVITEs and
// hangs up, and reports what it heard. As an agent softphone it also
// registers with digest authentication, answers (or rejects, or lets ring)
// incoming calls, and transfers calls with REFER.
//
// It must not import anything else in this repository, so that it stays an
// independent check of the server's SIP and media handling; and it is for
// tests only: the server never imports it.
package testphone
