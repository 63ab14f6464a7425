package media

import (
	"errors"
	"fmt"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// ErrSRTPAuth means a packet failed SRTP/SRTCP authentication or replay
// checks; such packets are dropped like any other invalid datagram.
var ErrSRTPAuth = errors.New("media: srtp authentication failed")

// replayWindow is the SRTP replay-protection window, in packets: the
// RFC 3711 default of 64 is too tight for a jittery path with reordering.
const replayWindow = 128

// SRTPKeys are the two keys of one SDES-keyed stream: Local encrypts what
// we send, Remote decrypts what the peer sends.
type SRTPKeys struct {
	Local  SDESKey
	Remote SDESKey
}

// SRTP holds the pion/srtp contexts of one stream. Each direction has its
// own context because the pacer encrypts and the read loop decrypts
// concurrently and a pion context is not safe for concurrent use. RTCP
// gets separate contexts behind a mutex: its packets are few, and whoever
// sends or reads them should not have to share the RTP hot path's state.
type SRTP struct {
	keys SRTPKeys

	tx      *srtp.Context // RTP out; used by the pacer under Stream.mu
	txBuf   [rtpHeaderSize + FrameSamples + 16]byte
	txHead  rtp.Header
	rx      *srtp.Context // RTP in; used by the read loop only
	rxBuf   [recvBufferSize]byte
	rxHead  rtp.Header
	rtcpMu  sync.Mutex
	rtcpOut *srtp.Context
	rtcpIn  *srtp.Context
}

// NewSRTP builds the contexts for keys; both keys must be valid.
func NewSRTP(keys SRTPKeys) (*SRTP, error) {
	s := &SRTP{keys: keys}
	var err error
	if s.tx, err = newContext(keys.Local); err != nil {
		return nil, fmt.Errorf("media: srtp send key: %w", err)
	}
	if s.rx, err = newContext(keys.Remote); err != nil {
		return nil, fmt.Errorf("media: srtp receive key: %w", err)
	}
	if s.rtcpOut, err = newContext(keys.Local); err != nil {
		return nil, fmt.Errorf("media: srtcp send key: %w", err)
	}
	if s.rtcpIn, err = newContext(keys.Remote); err != nil {
		return nil, fmt.Errorf("media: srtcp receive key: %w", err)
	}
	return s, nil
}

func newContext(k SDESKey) (*srtp.Context, error) {
	var profile srtp.ProtectionProfile
	switch k.Suite {
	case AESCM128HMACSHA1_80:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_80
	case AESCM128HMACSHA1_32:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_32
	default:
		return nil, ErrNoCryptoSuite
	}
	return srtp.CreateContext(k.KeySalt[:masterKeyLen], k.KeySalt[masterKeyLen:], profile,
		srtp.SRTPReplayProtection(replayWindow), srtp.SRTCPReplayProtection(replayWindow))
}

// Keys returns the keys the contexts were built from.
func (s *SRTP) Keys() SRTPKeys { return s.keys }

// encryptRTP protects one plain RTP packet into the reusable send buffer.
// The result is valid until the next call; the caller holds Stream.mu.
func (s *SRTP) encryptRTP(pkt []byte) ([]byte, error) {
	out, err := s.tx.EncryptRTP(s.txBuf[:0], pkt, &s.txHead)
	if err != nil {
		return nil, fmt.Errorf("media: srtp encrypt: %w", err)
	}
	return out, nil
}

// decryptRTP authenticates and decrypts one SRTP packet into the reusable
// receive buffer; the result is valid until the next call. Only the read
// loop calls it.
func (s *SRTP) decryptRTP(pkt []byte) ([]byte, bool) {
	out, err := s.rx.DecryptRTP(s.rxBuf[:0], pkt, &s.rxHead)
	if err != nil {
		return nil, false
	}
	return out, true
}

// EncryptRTCP protects a compound RTCP packet for sending (SRTCP, RFC 3711
// section 3.4). dst is reused when it has room.
func (s *SRTP) EncryptRTCP(dst, pkt []byte) ([]byte, error) {
	s.rtcpMu.Lock()
	defer s.rtcpMu.Unlock()
	var h rtcp.Header
	out, err := s.rtcpOut.EncryptRTCP(dst, pkt, &h)
	if err != nil {
		return nil, fmt.Errorf("media: srtcp encrypt: %w", err)
	}
	return out, nil
}

// DecryptRTCP authenticates and decrypts a received SRTCP packet.
func (s *SRTP) DecryptRTCP(dst, pkt []byte) ([]byte, error) {
	s.rtcpMu.Lock()
	defer s.rtcpMu.Unlock()
	var h rtcp.Header
	out, err := s.rtcpIn.DecryptRTCP(dst, pkt, &h)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSRTPAuth, err)
	}
	return out, nil
}
