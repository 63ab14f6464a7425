package testphone

import (
	"github.com/hotline-oss/hotline/internal/testphone/rtpaudio"
	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// The media side of a call lives in rtpaudio (RTP, codecs, DTMF, SRTP,
// what was heard) and sdpoffer (the SDP). These names keep the phone's API
// in one place for the tests that use it.

// Media directions as written in a= attributes.
const (
	DirSendRecv = sdpoffer.DirSendRecv
	DirSendOnly = sdpoffer.DirSendOnly
	DirRecvOnly = sdpoffer.DirRecvOnly
	DirInactive = sdpoffer.DirInactive
)

// NonSilentMeanAmplitude is the loudness threshold for one 20 ms frame
// (see rtpaudio.NonSilentMeanAmplitude).
const NonSilentMeanAmplitude = rtpaudio.NonSilentMeanAmplitude

var (
	// ErrNoAudio means the SDP has no usable m=audio line.
	ErrNoAudio = sdpoffer.ErrNoAudio
	// ErrNoCommonCodec means the answer picked nothing that was offered.
	ErrNoCommonCodec = sdpoffer.ErrNoCommonCodec
	// ErrMediaStopped means the audio sender is no longer running.
	ErrMediaStopped = rtpaudio.ErrMediaStopped
	// ErrMediaClosed means the call's RTP socket is closed.
	ErrMediaClosed = rtpaudio.ErrMediaClosed
	// ErrBadDigit means the rune is not a DTMF key.
	ErrBadDigit = rtpaudio.ErrBadDigit
	// ErrNoTelephoneEvent means the answer did not accept RFC 4733 events.
	ErrNoTelephoneEvent = rtpaudio.ErrNoTelephoneEvent
	// ErrSRTP means an SDES crypto line could not be used.
	ErrSRTP = rtpaudio.ErrSRTP
)

// MediaStats summarises the RTP the phone has received on one call.
type MediaStats = rtpaudio.Stats

// ReceivedEvent is one telephone-event packet as it arrived.
type ReceivedEvent = rtpaudio.ReceivedEvent

// offerMedia is our SDP offer for a call's RTP socket: RTP/SAVP with our
// key when the phone does SRTP.
func (p *Phone) offerMedia(sessionID, version uint64, m *rtpaudio.Session, direction string) ([]byte, error) {
	return sdpoffer.Build(sdpoffer.Params{
		SessionID: sessionID, Version: version,
		IP: p.cfg.LocalIP, Port: m.LocalPort(), Crypto: m.OfferCrypto(p.cfg.SRTP),
		Codecs: p.codecs, DTMFPT: p.dtmfPT, Direction: direction,
	})
}

// answerSDP is our SDP answer to the server's offer: the codec picked from
// it, telephone-event as dtmfPT (an incoming call echoes the offer's type, a
// re-offer keeps ours), and the mirror of its direction.
func (c *Call) answerSDP(remote sdpoffer.Remote, sessionID, version uint64, dtmfPT uint8) ([]byte, error) {
	return sdpoffer.Answer(remote, sdpoffer.Params{
		SessionID: sessionID, Version: version,
		IP: c.phone.cfg.LocalIP, Port: c.media.LocalPort(), Crypto: c.media.AnswerCrypto(remote.Crypto),
		DTMFPT: dtmfPT,
	})
}

// LocalRTPPort is the port our RTP socket is bound to.
func (c *Call) LocalRTPPort() int { return c.media.LocalPort() }

// Received returns a copy of the receive statistics so far.
func (c *Call) Received() MediaStats { return c.media.Received() }

// SendTone replaces the outgoing silence by a sine tone; 0 restores silence.
func (c *Call) SendTone(freqHz float64) { c.media.SetTone(freqHz) }

// RestartRTP makes the next packet sent jump its sequence number back by
// seqBack and its timestamp back by tsBack while keeping the SSRC, as an
// RTP sender that restarts behind an SBC does. Call it between digits.
func (c *Call) RestartRTP(seqBack uint16, tsBack uint32) { c.media.Restart(seqBack, tsBack) }

// StopMedia stops sending RTP while keeping the dialog (and receiving) up,
// e.g. to trigger the server's inactivity timeout.
func (c *Call) StopMedia() { c.media.StopSending() }

// Mute stops (true) or resumes (false) sending RTP, as a phone on hold
// that plays no music does; timestamps run on meanwhile.
func (c *Call) Mute(on bool) { c.media.SetMuted(on) }

// SRTP reports whether the call's media runs SRTP.
func (c *Call) SRTP() bool { return c.media.SRTP() }

// SRTPAuthFailures counts received packets that failed SRTP
// authentication or replay checks (and were dropped).
func (c *Call) SRTPAuthFailures() uint64 { return c.media.SRTPAuthFailures() }
