// Package rtpaudio is the media side of the test phone: one call's RTP
// socket with a paced sender (silence, a sine tone, RFC 4733 digits) and a
// receiver that records what it heard (loudness per frame, sequence gaps,
// pacing, telephone events, the latest audio for tone checks), its own
// G.711 codec, and SDES-keyed SRTP.
//
// It must not import testphone or know SIP: it is handed the peer's media
// description (sdpoffer.Remote) and nothing else. Like the phone, it must
// not share the server's media engine, except the G.722 codec (g722.go
// says why), so that it stays an independent check of what the server
// sends; and it is for tests only.
package rtpaudio
