// Package rtcpsess is one RTP stream's RTCP (RFC 3550 §6) on the odd port
// above it: the socket, what the peer's sender and receiver reports say
// about what we send, the counts of reports in and out, and the sending of
// our own SR or RR with an SDES CNAME when one is due.
//
// It owns the RTCP socket once attached, the peer's figures and the
// report buffers. It must not import media, read packets itself or start
// goroutines: the stream reads the socket on its own loop and hands each
// datagram to Handle, and the pacer's visit to the stream asks Due and
// Send, so sending needs no timer and does not allocate.
package rtcpsess
