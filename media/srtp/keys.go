package srtp

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
)

// SDES (RFC 4568) errors. An offer whose crypto lines are all unusable is
// well-formed but unacceptable (488).
var (
	ErrBadCrypto      = errors.New("media: malformed a=crypto line")
	ErrNoCryptoSuite  = errors.New("media: no supported SRTP crypto suite offered")
	ErrSRTPRequired   = errors.New("media: SRTP required")
	ErrCryptoMismatch = errors.New("media: crypto answer does not match the offer")
)

// CryptoSuite is an SDES crypto suite we can key pion/srtp with.
type CryptoSuite uint8

// Supported suites. Both use a 128-bit AES key and a 112-bit salt; they
// differ only in the length of the authentication tag.
const (
	SuiteNone CryptoSuite = iota
	AESCM128HMACSHA1_80
	AESCM128HMACSHA1_32
)

// Key material sizes of the AES_CM_128 suites (RFC 4568 section 6.2).
const (
	masterKeyLen  = 16
	masterSaltLen = 14
	keySaltLen    = masterKeyLen + masterSaltLen
)

// String returns the suite's SDP name.
func (s CryptoSuite) String() string {
	switch s {
	case AESCM128HMACSHA1_80:
		return "AES_CM_128_HMAC_SHA1_80"
	case AESCM128HMACSHA1_32:
		return "AES_CM_128_HMAC_SHA1_32"
	}
	return "NONE"
}

// AuthTagLen is the SRTP authentication tag length in bytes.
func (s CryptoSuite) AuthTagLen() int {
	if s == AESCM128HMACSHA1_32 {
		return 4
	}
	return 10
}

func suiteByName(name string) CryptoSuite {
	switch name {
	case "AES_CM_128_HMAC_SHA1_80":
		return AESCM128HMACSHA1_80
	case "AES_CM_128_HMAC_SHA1_32":
		return AESCM128HMACSHA1_32
	}
	return SuiteNone
}

// SDESKey is one a=crypto attribute: a tag, a suite and the master key
// with its salt. It is a value type (comparable, no slices) so Negotiated
// stays comparable. Its String and LogValue never show the key.
type SDESKey struct {
	Tag     int
	Suite   CryptoSuite
	KeySalt [keySaltLen]byte
}

// Valid reports whether k holds a usable suite.
func (k SDESKey) Valid() bool { return k.Suite != SuiteNone }

// String describes the key without its secret, for logs and errors.
func (k SDESKey) String() string {
	if !k.Valid() {
		return "none"
	}
	return strconv.Itoa(k.Tag) + " " + k.Suite.String() + " inline:<redacted>"
}

// LogValue keeps the key material out of structured logs.
func (k SDESKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Attribute is the value of the a=crypto attribute carrying k, key
// included: it belongs in SDP and nowhere else.
func (k SDESKey) Attribute() string {
	return strconv.Itoa(k.Tag) + " " + k.Suite.String() + " inline:" +
		base64.StdEncoding.EncodeToString(k.KeySalt[:])
}

// NewSDESKey draws a fresh master key and salt from crypto/rand.
func NewSDESKey(tag int, suite CryptoSuite) (SDESKey, error) {
	if suite == SuiteNone {
		return SDESKey{}, fmt.Errorf("%w: no suite", ErrNoCryptoSuite)
	}
	if tag < 0 || tag > 999999999 {
		return SDESKey{}, fmt.Errorf("%w: tag %d out of range", ErrBadCrypto, tag)
	}
	k := SDESKey{Tag: tag, Suite: suite}
	if _, err := rand.Read(k.KeySalt[:]); err != nil {
		return SDESKey{}, fmt.Errorf("media: srtp key: %w", err)
	}
	return k, nil
}

// ParseCrypto reads an a=crypto value (RFC 4568 section 9.1):
//
//	tag SP crypto-suite SP inline:<base64 key||salt>[|lifetime][|MKI:len] [session-params]
//
// A suite we do not implement gives ErrNoCryptoSuite, so callers can skip
// that line and try the next. Lines we cannot honour are refused rather
// than half-honoured: several keys, an MKI (which would have to appear in
// every packet) and session parameters that change the SRTP transform
// (UNENCRYPTED_*, KDR, FEC_ORDER, …) all give ErrNoCryptoSuite.
func ParseCrypto(value string) (SDESKey, error) {
	fields := strings.Fields(value)
	if len(fields) < 3 {
		return SDESKey{}, fmt.Errorf("%w: want tag, suite and key params", ErrBadCrypto)
	}
	tag, err := strconv.Atoi(fields[0])
	if err != nil || tag < 0 || tag > 999999999 || len(fields[0]) > 9 {
		return SDESKey{}, fmt.Errorf("%w: tag %q", ErrBadCrypto, fields[0])
	}
	suite := suiteByName(fields[1])
	if suite == SuiteNone {
		return SDESKey{}, fmt.Errorf("%w: %s", ErrNoCryptoSuite, fields[1])
	}
	if len(fields) > 3 {
		return SDESKey{}, fmt.Errorf("%w: session parameters %q not supported", ErrNoCryptoSuite, fields[3])
	}
	if strings.Contains(fields[2], ";") {
		return SDESKey{}, fmt.Errorf("%w: several master keys not supported", ErrNoCryptoSuite)
	}
	inline, ok := strings.CutPrefix(fields[2], "inline:")
	if !ok {
		return SDESKey{}, fmt.Errorf("%w: key method is not inline", ErrBadCrypto)
	}
	keyText, rest, _ := strings.Cut(inline, "|")
	if err := checkKeyParams(rest); err != nil {
		return SDESKey{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(keyText)
	if err != nil {
		// Some phones leave the padding off.
		raw, err = base64.RawStdEncoding.DecodeString(keyText)
	}
	if err != nil {
		return SDESKey{}, fmt.Errorf("%w: key is not base64", ErrBadCrypto)
	}
	if len(raw) != keySaltLen {
		return SDESKey{}, fmt.Errorf("%w: key and salt are %d bytes, want %d", ErrBadCrypto, len(raw), keySaltLen)
	}
	k := SDESKey{Tag: tag, Suite: suite}
	copy(k.KeySalt[:], raw)
	return k, nil
}

// checkKeyParams validates "|lifetime|MKI:len" after the key: a lifetime
// is accepted (we never send anywhere near 2^31 packets in one call), an
// MKI is not.
func checkKeyParams(rest string) error {
	if rest == "" {
		return nil
	}
	for _, p := range strings.Split(rest, "|") {
		switch {
		case strings.Contains(p, ":"):
			return fmt.Errorf("%w: MKI not supported", ErrNoCryptoSuite)
		case p == "":
			return fmt.Errorf("%w: empty key parameter", ErrBadCrypto)
		}
		lifetime := p
		if exp, ok := strings.CutPrefix(p, "2^"); ok {
			lifetime = exp
		}
		if n, err := strconv.Atoi(lifetime); err != nil || n <= 0 {
			return fmt.Errorf("%w: lifetime %q", ErrBadCrypto, p)
		}
	}
	return nil
}

// inlineKey matches the secret part of an SDES key parameter.
var inlineKey = regexp.MustCompile(`inline:[A-Za-z0-9+/=]+`)

// RedactSDP returns body with every SDES inline key replaced, for logging
// a message that may carry one. Bodies without a key are returned as is.
func RedactSDP(body []byte) []byte {
	if !bytes.Contains(body, []byte("inline:")) {
		return body
	}
	return inlineKey.ReplaceAll(body, []byte("inline:<redacted>"))
}
