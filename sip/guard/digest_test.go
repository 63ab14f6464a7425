package guard

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

func newTestAuth(clock *testClock) *Authenticator {
	return NewAuthenticator(AuthConfig{
		Now: clock.now,
		Password: func(u string) (string, bool) {
			if u == "1001" {
				return "s3cret", true
			}
			return "", false
		},
	})
}

func registerRequest(user string) *sipmsg.Request {
	req := sipmsg.NewRequest(sipmsg.REGISTER, sipmsg.Uri{Host: "127.0.0.1"})
	req.AppendHeader(&sipmsg.ToHeader{Address: sipmsg.Uri{User: user, Host: "127.0.0.1"}})
	return req
}

// answer computes the phone's Authorization header for the challenge of
// the given algorithm in res.
func answer(t *testing.T, res *sipmsg.Response, alg, user, password string) string {
	t.Helper()
	for _, h := range res.GetHeaders("WWW-Authenticate") {
		chal, err := digest.ParseChallenge(h.Value())
		if err != nil {
			t.Fatal(err)
		}
		if chal.Algorithm != alg {
			continue
		}
		cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: "sip:127.0.0.1", Username: user, Password: password, Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		return cred.String()
	}
	t.Fatalf("no %s challenge in %v", alg, res.GetHeaders("WWW-Authenticate"))
	return ""
}

func TestDigestSHA256AndMD5(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	a := newTestAuth(clock)
	src := netip.MustParseAddr("192.0.2.10")
	req := registerRequest("1001")
	if _, r, _ := a.Check(req, src); r != AuthChallenge {
		t.Fatalf("no credentials: %v", r)
	}
	chal := a.Challenge(req, false)
	hs := chal.GetHeaders("WWW-Authenticate")
	if len(hs) != 2 || !strings.Contains(hs[0].Value(), "SHA-256") || !strings.Contains(hs[1].Value(), "MD5") {
		t.Fatalf("challenges %v", hs)
	}
	for _, alg := range []string{"SHA-256", "MD5"} {
		req := registerRequest("1001")
		req.AppendHeader(sipmsg.NewHeader("Authorization", answer(t, chal, alg, "1001", "s3cret")))
		if user, r, _ := a.Check(req, src); r != AuthOK || user != "1001" {
			t.Errorf("%s: result %v user %q", alg, r, user)
		}
	}
}

func TestWrongPasswordUnknownUserAndForgedNonce(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	a := newTestAuth(clock)
	src := netip.MustParseAddr("192.0.2.11")
	chal := a.Challenge(registerRequest("1001"), false)
	for _, tc := range []struct{ user, password string }{{"1001", "wrong"}, {"9999", "anything"}} {
		req := registerRequest(tc.user)
		req.AppendHeader(sipmsg.NewHeader("Authorization", answer(t, chal, "MD5", tc.user, tc.password)))
		if _, r, _ := a.Check(req, src); r != AuthChallenge {
			t.Errorf("%s/%s: %v, want a new challenge", tc.user, tc.password, r)
		}
	}
	forged := strings.Replace(answer(t, chal, "MD5", "1001", "s3cret"), `nonce="`, `nonce="00`, 1)
	req := registerRequest("1001")
	req.AppendHeader(sipmsg.NewHeader("Authorization", forged))
	if _, r, _ := a.Check(req, src); r != AuthChallenge {
		t.Errorf("forged nonce accepted: %v", r)
	}
}

func TestStaleNonce(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	a := newTestAuth(clock)
	src := netip.MustParseAddr("192.0.2.12")
	chal := a.Challenge(registerRequest("1001"), false)
	clock.t = clock.t.Add(6 * time.Minute)
	req := registerRequest("1001")
	req.AppendHeader(sipmsg.NewHeader("Authorization", answer(t, chal, "SHA-256", "1001", "s3cret")))
	if _, r, stale := a.Check(req, src); r != AuthChallenge || !stale {
		t.Fatalf("expired nonce: result %v stale %v, want a stale challenge", r, stale)
	}
	if !strings.Contains(a.Challenge(req, true).GetHeaders("WWW-Authenticate")[0].Value(), "stale=true") {
		t.Error("stale=true missing")
	}
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	a := newTestAuth(clock)
	attacker, other := netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("198.51.100.8")
	chal := a.Challenge(registerRequest("1001"), false)
	bad := answer(t, chal, "MD5", "1001", "guess")
	good := answer(t, chal, "MD5", "1001", "s3cret")
	try := func(src netip.Addr, auth string) AuthResult {
		req := registerRequest("1001")
		req.AppendHeader(sipmsg.NewHeader("Authorization", auth))
		_, r, _ := a.Check(req, src)
		return r
	}
	for i := 0; i < 9; i++ {
		if r := try(attacker, bad); r != AuthChallenge {
			t.Fatalf("failure %d: %v", i+1, r)
		}
	}
	if r := try(attacker, bad); r != AuthChallenge {
		t.Fatalf("10th failure: %v", r)
	}
	if r := try(attacker, good); r != AuthBanned {
		t.Fatalf("after 10 failures even the right password must be refused: %v", r)
	}
	if r := try(other, good); r != AuthOK {
		t.Fatalf("another source is not banned: %v", r)
	}
	if b := a.Banned(); len(b) != 1 || b[0] != attacker {
		t.Errorf("banned %v", b)
	}
	clock.t = clock.t.Add(16 * time.Minute)
	chal = a.Challenge(registerRequest("1001"), false)
	if r := try(attacker, answer(t, chal, "MD5", "1001", "s3cret")); r != AuthOK {
		t.Errorf("ban not lifted after 15 min: %v", r)
	}
}

func TestFailuresOutsideTheWindowDoNotBan(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	a := newTestAuth(clock)
	src := netip.MustParseAddr("198.51.100.9")
	for i := 0; i < 20; i++ {
		chal := a.Challenge(registerRequest("1001"), false)
		req := registerRequest("1001")
		req.AppendHeader(sipmsg.NewHeader("Authorization", answer(t, chal, "MD5", "1001", "typo")))
		if _, r, _ := a.Check(req, src); r == AuthBanned {
			t.Fatalf("banned after %d failures spread over %v", i, time.Duration(i)*2*time.Minute)
		}
		clock.t = clock.t.Add(2 * time.Minute)
	}
}
