package media

import "github.com/hotline-oss/hotline/media/srtp"

// SRTP on a stream: packets are encrypted as the last step before the
// socket and decrypted as the first step after it, so everything between
// (latching, DTMF, the bridge relay, recording) sees plain RTP.

// SetSRTP switches the stream to SRTP with sec, or back to plain RTP with
// nil (a re-INVITE that re-keys). The pacer and the read loop pick the new
// contexts up with their next packet.
func (s *Stream) SetSRTP(sec *srtp.Session) { s.srtp.Store(sec) }

// SRTP returns the stream's SRTP contexts, or nil for plain RTP. RTCP
// senders and readers use its EncryptRTCP and DecryptRTCP.
func (s *Stream) SRTP() *srtp.Session { return s.srtp.Load() }

// Secure reports whether the stream runs SRTP.
func (s *Stream) Secure() bool { return s.srtp.Load() != nil }

// protect encrypts an outgoing RTP packet when SRTP is on; the caller
// holds mu (the encrypting context and its buffer are guarded by it).
func (s *Stream) protect(pkt []byte) ([]byte, error) {
	sec := s.srtp.Load()
	if sec == nil {
		return pkt, nil
	}
	return sec.EncryptRTP(pkt)
}

// unprotect authenticates and decrypts an incoming packet when SRTP is on;
// false means drop it. Only the read loop calls it.
func (s *Stream) unprotect(pkt []byte) ([]byte, bool) {
	sec := s.srtp.Load()
	if sec == nil {
		return pkt, true
	}
	return sec.DecryptRTP(pkt)
}
