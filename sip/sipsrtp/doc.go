// Package sipsrtp is the SIP side of SRTP: keying a caller's or an agent's
// stream from the SDES keys of the offer and answer, offering SRTP to
// agents who require it, refusing plain RTP for secure-only numbers, and
// re-keying (or refusing a switch between RTP and SRTP) on a re-INVITE.
//
// It owns these offer/answer rules only. It must not decide which numbers
// or agents are secure-only (the endpoint's configuration says), send a
// message, or let a key reach a log.
package sipsrtp
