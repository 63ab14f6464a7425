package sipdigest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// Digest algorithms the phone answers, in order of preference (RFC 8760).
const (
	AlgorithmSHA256 = "SHA-256"
	AlgorithmMD5    = "MD5"
)

// ErrNoUsableChallenge means a 401/407 offered no digest challenge the
// phone can answer (or none with the algorithm insisted on).
var ErrNoUsableChallenge = errors.New("testphone: no usable digest challenge")

// Credentials is who answers a challenge, and for which request.
type Credentials struct {
	Method, URI    string // the request's method and Request-URI
	User, Password string
	// Algorithm insists on one challenge ("MD5" or "SHA-256"); empty takes
	// SHA-256 when offered, else MD5.
	Algorithm string
}

// IsChallenge reports a 401 or 407 response.
func IsChallenge(res *sip.Response) bool {
	return res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired
}

// IsStale reports a challenge saying only that our nonce expired.
func IsStale(res *sip.Response) bool {
	for _, h := range challengeHeaders(res) {
		if chal, err := digest.ParseChallenge(h.Value()); err == nil && chal.Stale {
			return true
		}
	}
	return false
}

func challengeHeaders(res *sip.Response) []sip.Header {
	if res.StatusCode == sip.StatusProxyAuthRequired {
		return res.GetHeaders("Proxy-Authenticate")
	}
	return res.GetHeaders("WWW-Authenticate")
}

// Authorization answers the preferred challenge of res with cred: the
// Authorization (or, for a 407, Proxy-Authorization) header to add to the
// retried request, and the algorithm answered.
func Authorization(res *sip.Response, cred Credentials) (sip.Header, string, error) {
	chal, err := pickChallenge(challengeHeaders(res), cred.Algorithm)
	if err != nil {
		return nil, "", err
	}
	answer, err := digest.Digest(chal, digest.Options{
		Method: cred.Method, URI: cred.URI,
		Username: cred.User, Password: cred.Password,
	})
	if err != nil {
		return nil, "", fmt.Errorf("testphone: digest: %w", err)
	}
	name := "Authorization"
	if res.StatusCode == sip.StatusProxyAuthRequired {
		name = "Proxy-Authorization"
	}
	return sip.NewHeader(name, answer.String()), chal.Algorithm, nil
}

// pickChallenge takes the challenge with the preferred algorithm; a
// challenge without one is MD5 (RFC 2617).
func pickChallenge(headers []sip.Header, insist string) (*digest.Challenge, error) {
	byAlgorithm := make(map[string]*digest.Challenge)
	for _, h := range headers {
		chal, err := digest.ParseChallenge(h.Value())
		if err != nil {
			continue // not Digest, or malformed: look at the others
		}
		chal.Algorithm = strings.ToUpper(chal.Algorithm)
		if chal.Algorithm == "" {
			chal.Algorithm = AlgorithmMD5
		}
		if _, seen := byAlgorithm[chal.Algorithm]; !seen && digest.CanDigest(chal) {
			byAlgorithm[chal.Algorithm] = chal
		}
	}
	preference := []string{AlgorithmSHA256, AlgorithmMD5}
	if insist != "" {
		preference = []string{strings.ToUpper(insist)}
	}
	for _, alg := range preference {
		if chal, ok := byAlgorithm[alg]; ok {
			return chal, nil
		}
	}
	return nil, fmt.Errorf("%w (offered %d, want %s)", ErrNoUsableChallenge, len(headers), strings.Join(preference, " or "))
}
