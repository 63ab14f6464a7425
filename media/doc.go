// Package media is the RTP engine: G.711 codecs, G.722 legs (the codec is
// in media/g722, the 8↔16 kHz filter in media/resample), WAV prompts, SDP
// offer/answer, SRTP, RTCP, RFC 4733 DTMF, the RTP port pool, paced RTP
// streams, the bridge and mixer between legs, and recording.
//
// It owns sockets, packets and audio. It must not know SIP (dialogs,
// requests, agents): the sip package hands it an SDP and gets a Stream. It
// imports no other package of this repository, publishes no call events and
// starts no goroutine per packet: a shared Pacer sends for every stream,
// one read loop serves each stream, and hooks run on those goroutines, so
// they must be quick and must not block.
package media
