// Package pacer sends for many RTP streams on time from a few goroutines:
// the 20 ms frame is cut into phase slots, each stream sends in the
// least-loaded one, and about one worker per core wakes per slot on the
// monotonic clock, catching up after a late wake-up instead of drifting.
//
// It owns the slots, the workers and the pacing clock. It must not know
// what a stream sends or how (RTP, RTCP, sockets and codecs are the media
// package's): it calls a registered Stream's SendDue with the time, and
// that call must be quick and must not block. It must not import media.
package pacer
