package guard

import (
	"crypto/subtle"
	"net/netip"
	"strings"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// fuzzAuth is an authenticator with a fixed secret and clock, so the
// nonces in the seeds stay genuine across runs and the fuzzer can mutate
// valid answers.
func fuzzAuth() (*Authenticator, *testClock) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	a := NewAuthenticator(AuthConfig{
		Now:         clock.now,
		MaxFailures: 1 << 30, // bans are tested elsewhere; here they would hide Check
		Password: func(u string) (string, bool) {
			if u == "1001" {
				return "s3cret", true
			}
			return "", false
		},
	})
	copy(a.secret[:], "fixed secret for the fuzz corpus")
	return a, clock
}

// genuineAnswer is what a phone that knows the password sends for the
// challenge of alg.
func genuineAnswer(tb testing.TB, a *Authenticator, alg, method string) string {
	tb.Helper()
	res := a.Challenge(registerRequest("1001"), false)
	for _, h := range res.GetHeaders("WWW-Authenticate") {
		chal, err := digest.ParseChallenge(h.Value())
		if err != nil {
			tb.Fatal(err)
		}
		if chal.Algorithm != alg {
			continue
		}
		cred, err := digest.Digest(chal, digest.Options{Method: method, URI: "sip:127.0.0.1",
			Username: "1001", Password: "s3cret", Count: 1, Cnonce: "0a4f113b"})
		if err != nil {
			tb.Fatal(err)
		}
		return cred.String()
	}
	tb.Fatalf("no %s challenge", alg)
	return ""
}

// isGenuine recomputes, independently of Check, whether header is the
// correct answer of user 1001 to a nonce we issued.
func isGenuine(a *Authenticator, header, method string) bool {
	cred, err := digest.ParseCredentials(header)
	if err != nil || cred.Username != "1001" || cred.Realm != "hotline" {
		return false
	}
	if _, genuine := a.checkNonce(cred.Nonce, a.cfg.Now()); !genuine {
		return false
	}
	chal := &digest.Challenge{Realm: cred.Realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	if cred.QOP != "" {
		chal.QOP = []string{cred.QOP}
	}
	want, err := digest.Digest(chal, digest.Options{Method: method, URI: cred.URI,
		Count: cred.Nc, Cnonce: cred.Cnonce, Username: "1001", Password: "s3cret"})
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(want.Response)), []byte(strings.ToLower(cred.Response))) == 1
}

func FuzzDigestAuthorization(f *testing.F) {
	a, _ := fuzzAuth()
	for _, alg := range []string{"SHA-256", "MD5"} {
		good := genuineAnswer(f, a, alg, "REGISTER")
		f.Add(good)
		f.Add(strings.Replace(good, "1001", "1002", 1))                 // another user
		f.Add(strings.Replace(good, `realm="hotline"`, `realm="x"`, 1)) // another realm
		f.Add(strings.Replace(good, "response=\"", "response=\"0", 1))  // response altered
		f.Add(strings.Replace(good, "nonce=\"", "nonce=\"ff", 1))       // nonce altered
		f.Add(strings.Replace(good, "qop=auth", "qop=auth-int", 1))     // qop we do not offer
		f.Add(strings.Replace(good, "algorithm="+alg, "algorithm=MD5-sess", 1))
		f.Add(strings.ReplaceAll(good, `"`, ""))    // unquoted values
		f.Add(good + `, username="admin"`)          // repeated parameter
		f.Add(strings.ToUpper(good[:6]) + good[6:]) // DIGEST scheme
	}
	f.Add("")
	f.Add("Digest")
	f.Add("Basic MTAwMTpzM2NyZXQ=")
	f.Add(`Digest username="1001", realm="hotline", nonce="", uri="", response=""`)
	f.Add(`Digest username="1001\", realm="hotline"`)
	f.Add("Digest username=" + strings.Repeat("a", 4096)) // a long value
	f.Fuzz(func(t *testing.T, header string) {
		a, clock := fuzzAuth()
		req := registerRequest("1001")
		req.AppendHeader(sipmsg.NewHeader("Authorization", header))
		src := netip.MustParseAddr("192.0.2.77")
		user, result, stale := a.Check(req, src)
		switch result {
		case AuthOK:
			if user != "1001" || stale || !isGenuine(a, header, "REGISTER") {
				t.Fatalf("accepted as %q (stale %v) an answer that is not genuine: %q", user, stale, header)
			}
		case AuthChallenge:
			if user != "" {
				t.Fatalf("challenge with user %q", user)
			}
		case AuthBanned:
			t.Fatalf("banned after one failure: %q", header)
		default:
			t.Fatalf("unknown result %d", result)
		}
		// A genuine answer sent again at once is a replay (RFC 7616
		// section 3.3); after the nonce expired it is only stale.
		if result == AuthOK {
			if _, again, stale := a.Check(req, src); again != AuthChallenge || !stale {
				t.Fatalf("replayed at once: result %d stale %v, want a stale challenge", again, stale)
			}
			clock.t = clock.t.Add(time.Hour)
			if _, again, stale := a.Check(req, src); again != AuthChallenge || !stale {
				t.Fatalf("after expiry: result %d stale %v", again, stale)
			}
		}
	})
}

func TestGenuineFuzzSeedsPass(t *testing.T) {
	a, _ := fuzzAuth()
	for _, alg := range []string{"SHA-256", "MD5"} {
		req := registerRequest("1001")
		req.AppendHeader(sipmsg.NewHeader("Authorization", genuineAnswer(t, a, alg, "REGISTER")))
		if user, result, _ := a.Check(req, netip.MustParseAddr("192.0.2.77")); result != AuthOK || user != "1001" {
			t.Fatalf("%s: genuine answer refused: %d %q", alg, result, user)
		}
	}
}
