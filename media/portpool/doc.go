// Package portpool hands out RTP sockets on the even ports of a configured
// range, each bound together with its RTCP socket on the odd port above,
// and takes the pair back whole.
//
// It owns the range and the bound sockets until a stream takes them over
// (TakeRTCP). It must not read or write packets, and must not hand out a
// port the moment it comes back, so late packets of an ended call do not
// reach the next one.
package portpool
