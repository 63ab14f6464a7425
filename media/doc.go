// Package media is the RTP engine: paced RTP streams on sockets from the
// port pool, the shared Pacer that sends for all of them, a stream's RTCP,
// prompt playback and key presses, and what joins streams together: the
// Bridge between two legs, the supervisor's Monitor and the Recording of a
// bridge.
//
// The pure parts live in sub-packages it drives: rtpcodec (codecs and
// framing), g722 and resample, wideband (G.722 legs), dtmf (RFC 4733 and
// SIP INFO keys), playout (prompts and playlists), mix (relay FIFO and
// three-party mixer), record (the WAV writer), rtpstats (RFC 3550
// statistics and reports), srtp (SDES keys and contexts), sdp (offer and
// answer), wav and portpool. So do the Pacer's timing wheel (pacer),
// which sends through the two-method pacer.Stream, and a stream's RTCP
// session (rtcpsess), which the stream hands datagrams and its sending
// figures; neither imports media.
//
// It owns sockets, packets and the goroutines that move them. It must not
// know SIP (dialogs, requests, agents): the sip package negotiates with
// media/sdp and gets a Stream. It imports no package of this repository
// outside media/, publishes no call events and starts no goroutine per
// packet: a shared Pacer sends for every stream, one read loop serves each
// stream, and hooks run on those goroutines, so they must be quick and
// must not block.
package media
