// Package rtpcodec names the audio codecs the engine speaks (PCMU, PCMA,
// G.722) with their RTP payload types and SDP names, fixes the framing
// every stream uses (8 kHz RTP clock, 20 ms frames of 160 code words), and
// implements the two G.711 laws: encoding, decoding and transcoding by
// table.
//
// It owns pure functions and constant tables only. It must not hold
// state, open sockets or start goroutines; the G.722 codec itself is
// package g722.
package rtpcodec
