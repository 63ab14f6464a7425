package srtp

import (
	"errors"
	"fmt"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	pionsrtp "github.com/pion/srtp/v3"
)

// ErrAuth means a packet failed SRTP/SRTCP authentication or replay
// checks; such packets are dropped like any other invalid datagram.
var ErrAuth = errors.New("media: srtp authentication failed")

// replayWindow is the SRTP replay-protection window, in packets: the
// RFC 3711 default of 64 is too tight for a jittery path with reordering.
const replayWindow = 128

// Buffer sizes: an RTP header, one 20 ms frame of 8-bit samples (160 bytes
// for G.711 and G.722) and the longest authentication tag; and anything
// that fits an Ethernet MTU with room to spare on the receive side, as the
// stream's own receive buffer.
const (
	sendBufferSize = 12 + 160 + 16
	recvBufferSize = 2048
)

// Keys are the two keys of one SDES-keyed stream: Local encrypts what
// we send, Remote decrypts what the peer sends.
type Keys struct {
	Local  SDESKey
	Remote SDESKey
}

// Session holds the pion/srtp contexts of one stream. Each direction has its
// own context because the pacer encrypts and the read loop decrypts
// concurrently and a pion context is not safe for concurrent use. RTCP
// gets separate contexts behind a mutex: its packets are few, and whoever
// sends or reads them should not have to share the RTP hot path's state.
type Session struct {
	keys Keys

	tx      *pionsrtp.Context // RTP out; used by the pacer under Stream.mu
	txBuf   [sendBufferSize]byte
	txHead  rtp.Header
	rx      *pionsrtp.Context // RTP in; used by the read loop only
	rxBuf   [recvBufferSize]byte
	rxHead  rtp.Header
	rtcpMu  sync.Mutex
	rtcpOut *pionsrtp.Context
	rtcpIn  *pionsrtp.Context
}

// New builds the contexts for keys; both keys must be valid.
func New(keys Keys) (*Session, error) {
	s := &Session{keys: keys}
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

func newContext(k SDESKey) (*pionsrtp.Context, error) {
	var profile pionsrtp.ProtectionProfile
	switch k.Suite {
	case AESCM128HMACSHA1_80:
		profile = pionsrtp.ProtectionProfileAes128CmHmacSha1_80
	case AESCM128HMACSHA1_32:
		profile = pionsrtp.ProtectionProfileAes128CmHmacSha1_32
	default:
		return nil, ErrNoCryptoSuite
	}
	return pionsrtp.CreateContext(k.KeySalt[:masterKeyLen], k.KeySalt[masterKeyLen:], profile,
		pionsrtp.SRTPReplayProtection(replayWindow), pionsrtp.SRTCPReplayProtection(replayWindow))
}

// Keys returns the keys the contexts were built from.
func (s *Session) Keys() Keys { return s.keys }

// EncryptRTP protects one plain RTP packet into the reusable send buffer.
// The result is valid until the next call; the caller holds Stream.mu.
func (s *Session) EncryptRTP(pkt []byte) ([]byte, error) {
	out, err := s.tx.EncryptRTP(s.txBuf[:0], pkt, &s.txHead)
	if err != nil {
		return nil, fmt.Errorf("media: srtp encrypt: %w", err)
	}
	return out, nil
}

// DecryptRTP authenticates and decrypts one SRTP packet into the reusable
// receive buffer; the result is valid until the next call. Only the read
// loop calls it.
func (s *Session) DecryptRTP(pkt []byte) ([]byte, bool) {
	out, err := s.rx.DecryptRTP(s.rxBuf[:0], pkt, &s.rxHead)
	if err != nil {
		return nil, false
	}
	return out, true
}

// EncryptRTCP protects a compound RTCP packet for sending (SRTCP, RFC 3711
// section 3.4). dst is reused when it has room.
func (s *Session) EncryptRTCP(dst, pkt []byte) ([]byte, error) {
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
func (s *Session) DecryptRTCP(dst, pkt []byte) ([]byte, error) {
	s.rtcpMu.Lock()
	defer s.rtcpMu.Unlock()
	var h rtcp.Header
	out, err := s.rtcpIn.DecryptRTCP(dst, pkt, &h)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAuth, err)
	}
	return out, nil
}
