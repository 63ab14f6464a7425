// Package g722 is a G.722 wideband speech codec (ITU-T G.722, 64 kbit/s,
// mode 1): 16 kHz linear PCM in, one octet per pair of samples out, and
// back.
//
// It owns the arithmetic of the codec only: the quadrature mirror filters
// that split the signal into a lower and a higher sub-band, and the
// adaptive differential quantisers of each band (6 bits for the lower, 2
// for the higher). It must not know RTP, SDP or sockets: framing, payload
// types and the RTP clock quirk (RFC 3551 gives G.722 an 8000 Hz RTP clock
// for its 16 kHz audio) are the caller's business; the constants here only
// describe them. Encoders and decoders keep per-stream state, are not safe
// for concurrent use, and neither allocate nor read a clock.
//
// The output is bit-exact with the ffmpeg g722 codec on the vectors in
// testdata (see g722_test.go). Mode 2 and 3 (56 and 48 kbit/s) are not
// implemented: a decoder given such a stream plays it as mode 1.
package g722
