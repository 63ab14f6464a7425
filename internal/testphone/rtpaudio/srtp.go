package rtpaudio

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// ErrSRTP means an SDES crypto line could not be used.
var ErrSRTP = errors.New("testphone: srtp")

const (
	sdesSuite80 = "AES_CM_128_HMAC_SHA1_80"
	sdesSuite32 = "AES_CM_128_HMAC_SHA1_32"
	sdesKeyLen  = 30 // 16-byte master key + 14-byte salt
)

// srtpSession is one call's SDES-keyed SRTP (RFC 4568): our key is drawn
// when the RTP socket opens; the peer's arrives in its SDP. It is written
// here from RFC 4568 and pion/srtp alone, independently of the server.
type srtpSession struct {
	local [sdesKeyLen]byte

	mu       sync.Mutex
	tag      int    // tag of the crypto line in use
	suite    string // suite in use; "" while plain RTP
	remote   string // peer's inline key text, to spot re-keying
	tx, rx   *srtp.Context
	rxHeader rtp.Header

	authFailures atomic.Uint64
}

func newSRTPSession() *srtpSession {
	s := &srtpSession{}
	_, _ = rand.Read(s.local[:]) // crypto/rand never fails on supported platforms
	return s
}

func (s *srtpSession) attr(tag int, suite string) string {
	return strconv.Itoa(tag) + " " + suite + " inline:" + base64.StdEncoding.EncodeToString(s.local[:])
}

// offerAttr is our a=crypto value for an offer, or "" for plain RTP.
func (s *srtpSession) offerAttr(enabled bool) string {
	if !enabled {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.suite == "" {
		s.tag, s.suite = 1, sdesSuite80
	}
	return s.attr(s.tag, s.suite)
}

// answerAttr answers the peer's a=crypto value with our key under its tag
// and suite; "" when the peer offered plain RTP.
func (s *srtpSession) answerAttr(remote string) string {
	if remote == "" {
		return ""
	}
	tag, suite, _, err := parseSDES(remote)
	if err != nil {
		return ""
	}
	s.mu.Lock()
	s.tag, s.suite = tag, suite
	s.mu.Unlock()
	return s.attr(tag, suite)
}

// setRemote keys the contexts from the peer's a=crypto value ("" is plain
// RTP, which turns SRTP off).
func (s *srtpSession) setRemote(remote string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if remote == "" {
		s.tx, s.rx, s.remote = nil, nil, ""
		return nil
	}
	tag, suite, key, err := parseSDES(remote)
	if err != nil {
		return err
	}
	if s.rx != nil && key == s.remote && suite == s.suite {
		return nil
	}
	profile := srtp.ProtectionProfileAes128CmHmacSha1_80
	if suite == sdesSuite32 {
		profile = srtp.ProtectionProfileAes128CmHmacSha1_32
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != sdesKeyLen {
		return fmt.Errorf("%w: bad inline key", ErrSRTP)
	}
	rx, err := srtp.CreateContext(raw[:16], raw[16:], profile, srtp.SRTPReplayProtection(128))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSRTP, err)
	}
	tx, err := srtp.CreateContext(s.local[:16], s.local[16:], profile)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSRTP, err)
	}
	s.tag, s.suite, s.remote, s.tx, s.rx = tag, suite, key, tx, rx
	return nil
}

func (s *srtpSession) active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rx != nil
}

// protect encrypts an outgoing RTP packet when SRTP is on.
func (s *srtpSession) protect(raw []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tx == nil {
		return raw, nil
	}
	return s.tx.EncryptRTP(nil, raw, nil)
}

// unprotect decrypts an incoming packet when SRTP is on; false: drop it.
func (s *srtpSession) unprotect(raw []byte) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rx == nil {
		return raw, true
	}
	out, err := s.rx.DecryptRTP(nil, raw, &s.rxHeader)
	if err != nil {
		s.authFailures.Add(1)
		return nil, false
	}
	return out, true
}

// parseSDES reads "tag suite inline:key[|lifetime]".
func parseSDES(value string) (tag int, suite, key string, err error) {
	fields := strings.Fields(value)
	if len(fields) < 3 {
		return 0, "", "", fmt.Errorf("%w: crypto line %q", ErrSRTP, value)
	}
	if tag, err = strconv.Atoi(fields[0]); err != nil {
		return 0, "", "", fmt.Errorf("%w: tag %q", ErrSRTP, fields[0])
	}
	suite = fields[1]
	if suite != sdesSuite80 && suite != sdesSuite32 {
		return 0, "", "", fmt.Errorf("%w: suite %s", ErrSRTP, suite)
	}
	inline, ok := strings.CutPrefix(fields[2], "inline:")
	if !ok {
		return 0, "", "", fmt.Errorf("%w: key method", ErrSRTP)
	}
	key, _, _ = strings.Cut(inline, "|")
	return tag, suite, key, nil
}

// SRTP reports whether the session's media runs SRTP.
func (m *Session) SRTP() bool { return m.sec.active() }

// SRTPAuthFailures counts received packets that failed SRTP
// authentication or replay checks (and were dropped).
func (m *Session) SRTPAuthFailures() uint64 { return m.sec.authFailures.Load() }

// OfferCrypto is our a=crypto value for an offer (RTP/SAVP with our key),
// or "" for plain RTP when enabled is false.
func (m *Session) OfferCrypto(enabled bool) string { return m.sec.offerAttr(enabled) }

// AnswerCrypto answers the peer's a=crypto value with our key under its
// tag and suite; "" when the peer offered plain RTP.
func (m *Session) AnswerCrypto(remote string) string { return m.sec.answerAttr(remote) }
