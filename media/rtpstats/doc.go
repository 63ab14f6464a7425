// Package rtpstats is the bookkeeping of RFC 3550 for one received RTP
// stream and the RTCP reports about it: source validation by sequence
// number (appendix A.1), loss and interarrival jitter (A.3, A.8) published
// for concurrent readers, what a peer's sender and receiver reports say
// about the stream we send (round-trip time from LSR/DLSR), and the NTP
// and RTP-unit arithmetic they need.
//
// It owns counters and arithmetic only. It must not open sockets, read
// the clock (times are passed in on the caller's clock) or start
// goroutines; the media stream feeds it from its read loops.
package rtpstats
