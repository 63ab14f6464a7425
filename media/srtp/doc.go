// Package srtp is SDES-keyed SRTP (RFC 4568, RFC 3711): a=crypto keys
// (parsed, drawn, written and kept out of logs) and the per-stream Session
// of pion/srtp contexts that protects RTP and RTCP in both directions.
//
// It owns keys and cipher contexts. It must not know SDP beyond the
// a=crypto value, or sockets; a key never appears in a log or an error.
package srtp
