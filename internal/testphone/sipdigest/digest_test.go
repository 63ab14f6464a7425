package sipdigest

import (
	"errors"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

func challenge(code int, name string, algorithms ...string) *sip.Response {
	res := sip.NewResponse(code, "Unauthorized")
	for _, alg := range algorithms {
		v := `Digest realm="hotline", nonce="abc", qop="auth"`
		if alg != "" {
			v += ", algorithm=" + alg
		}
		res.AppendHeader(sip.NewHeader(name, v))
	}
	return res
}

func TestAuthorizationPrefersSHA256(t *testing.T) {
	cred := Credentials{Method: "REGISTER", URI: "sip:127.0.0.1", User: "1001", Password: "s3cret"}
	res := challenge(401, "WWW-Authenticate", "MD5", "SHA-256")
	if !IsChallenge(res) || IsStale(res) {
		t.Fatal("a fresh 401 misread")
	}
	h, alg, err := Authorization(res, cred)
	if err != nil || alg != AlgorithmSHA256 || h.Name() != "Authorization" || !strings.Contains(h.Value(), `username="1001"`) {
		t.Fatalf("Authorization = %v, %q, %v", h, alg, err)
	}
	cred.Algorithm = "md5"
	if _, alg, err := Authorization(res, cred); err != nil || alg != AlgorithmMD5 {
		t.Fatalf("insisting on MD5: %q, %v", alg, err)
	}
}

func TestAuthorizationProxyAndDefaults(t *testing.T) {
	res := challenge(407, "Proxy-Authenticate", "")
	h, alg, err := Authorization(res, Credentials{Method: "INVITE", URI: "sip:95598@127.0.0.1", User: "1001"})
	if err != nil || alg != AlgorithmMD5 || h.Name() != "Proxy-Authorization" {
		t.Fatalf("Authorization = %v, %q, %v", h, alg, err)
	}
	only := challenge(401, "WWW-Authenticate", "MD5")
	if _, _, err := Authorization(only, Credentials{Algorithm: AlgorithmSHA256}); !errors.Is(err, ErrNoUsableChallenge) {
		t.Fatalf("SHA-256 insisted on an MD5 challenge: %v", err)
	}
	if IsChallenge(sip.NewResponse(200, "OK")) {
		t.Error("200 taken for a challenge")
	}
}
