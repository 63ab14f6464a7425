package guard

import (
	"net/netip"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// answerWithCount is a phone's answer to the chal's algorithm challenge
// with nonce count nc.
func answerWithCount(t *testing.T, chal *sipmsg.Response, alg string, nc int) string {
	t.Helper()
	for _, h := range chal.GetHeaders("WWW-Authenticate") {
		c, err := digest.ParseChallenge(h.Value())
		if err != nil {
			t.Fatal(err)
		}
		if c.Algorithm != alg {
			continue
		}
		cred, err := digest.Digest(c, digest.Options{Method: "REGISTER", URI: "sip:127.0.0.1",
			Username: "1001", Password: "s3cret", Count: nc, Cnonce: "5fa1c2d3"})
		if err != nil {
			t.Fatal(err)
		}
		return cred.String()
	}
	t.Fatalf("no %s challenge", alg)
	return ""
}

func checkAnswer(a *Authenticator, src netip.Addr, auth string) (AuthResult, bool) {
	req := registerRequest("1001")
	req.AppendHeader(sipmsg.NewHeader("Authorization", auth))
	_, r, stale := a.Check(req, src)
	return r, stale
}

func TestDigestReplayedNonceCountIsRefused(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	var reasons []string
	a := NewAuthenticator(AuthConfig{
		Now:       clock.now,
		Password:  func(u string) (string, bool) { return "s3cret", u == "1001" },
		OnFailure: func(_ netip.Addr, _, reason string, _ bool) { reasons = append(reasons, reason) },
	})
	phone, attacker := netip.MustParseAddr("192.0.2.20"), netip.MustParseAddr("203.0.113.66")
	chal := a.Challenge(registerRequest("1001"), false)

	first := answerWithCount(t, chal, "SHA-256", 1)
	if r, _ := checkAnswer(a, phone, first); r != AuthOK {
		t.Fatalf("first answer: %v", r)
	}
	// The same answer captured and sent again, from anywhere, a minute later.
	clock.t = clock.t.Add(time.Minute)
	for _, src := range []netip.Addr{attacker, phone} {
		if r, stale := checkAnswer(a, src, first); r != AuthChallenge || !stale {
			t.Errorf("replay from %v: result %v stale %v, want a stale challenge", src, r, stale)
		}
	}
	// The phone goes on with the same nonce and growing counts (RFC 7616
	// section 3.4): accepted, also after a gap; a lower count is not.
	for _, nc := range []int{2, 3, 7} {
		if r, _ := checkAnswer(a, phone, answerWithCount(t, chal, "SHA-256", nc)); r != AuthOK {
			t.Errorf("nc=%d: %v, want accepted", nc, r)
		}
	}
	if r, _ := checkAnswer(a, phone, answerWithCount(t, chal, "SHA-256", 5)); r != AuthChallenge {
		t.Errorf("nc=5 after nc=7: %v, want refused", r)
	}
	// The other algorithm's answer to the same nonce is another credential.
	if r, _ := checkAnswer(a, phone, answerWithCount(t, chal, "MD5", 1)); r != AuthOK {
		t.Errorf("MD5 nc=1: %v", r)
	}
	if len(reasons) != 3 || reasons[0] != AuthFailReplay || reasons[2] != AuthFailReplay {
		t.Errorf("failures %v, want three %s", reasons, AuthFailReplay)
	}
}

func TestDigestAnswerWithoutQOPIsSingleUse(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	a := newTestAuth(clock)
	src := netip.MustParseAddr("192.0.2.21")
	chal := a.Challenge(registerRequest("1001"), false)
	c, err := digest.ParseChallenge(chal.GetHeaders("WWW-Authenticate")[1].Value())
	if err != nil {
		t.Fatal(err)
	}
	c.QOP = nil // an RFC 2069 phone: no qop, no nc
	cred, err := digest.Digest(c, digest.Options{Method: "REGISTER", URI: "sip:127.0.0.1", Username: "1001", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := checkAnswer(a, src, cred.String()); r != AuthOK {
		t.Fatalf("first use: %v", r)
	}
	if r, stale := checkAnswer(a, src, cred.String()); r != AuthChallenge || !stale {
		t.Errorf("second use: %v stale %v, want a stale challenge", r, stale)
	}
}

func TestNonceCountsAreBounded(t *testing.T) {
	n := newNonceCounts(3)
	t0 := time.Unix(1_800_000_000, 0)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for i := 1; i <= 5; i++ {
		if got := n.use(string(rune('a'+i)), "MD5", 1, at(i), t0); got != nonceNew {
			t.Fatalf("nonce %d: %v", i, got)
		}
	}
	if n.size() != 3 {
		t.Fatalf("%d entries, want the bound 3", n.size())
	}
	// b and c were forgotten: they can no longer be used, not even replayed.
	if got := n.use("b", "MD5", 1, at(1), t0); got != nonceForgotten {
		t.Errorf("forgotten nonce replayed: %v", got)
	}
	if got := n.use("z", "MD5", 1, at(2), t0); got != nonceForgotten {
		t.Errorf("a nonce issued before the forgotten one: %v", got)
	}
	if got := n.use("f", "MD5", 1, at(5), t0); got != nonceReplayed {
		t.Errorf("remembered nonce replayed: %v", got)
	}
	// Entries of expired nonces leave by themselves.
	if got := n.use("y", "MD5", 1, at(100), at(50)); got != nonceNew || n.size() != 1 {
		t.Errorf("after expiry: %v with %d entries, want 1", got, n.size())
	}
}

// TestDigestChallengesAtOneInstantAreDistinct: two phones challenged at
// the same instant (a clock that has not moved) each get their own nonce,
// so the second phone's first answer is not taken for a replay of the
// first's.
func TestDigestChallengesAtOneInstantAreDistinct(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	a := newTestAuth(clock)
	first := a.Challenge(registerRequest("1001"), false)
	second := a.Challenge(registerRequest("1001"), false)
	if first.GetHeader("WWW-Authenticate").Value() == second.GetHeader("WWW-Authenticate").Value() {
		t.Fatal("two challenges at one instant carry the same nonce")
	}
	for i, chal := range []*sipmsg.Response{first, second} {
		src := netip.MustParseAddr("192.0.2.30").Next()
		if r, _ := checkAnswer(a, src, answerWithCount(t, chal, "SHA-256", 1)); r != AuthOK {
			t.Errorf("phone %d's first answer: %v, want accepted", i+1, r)
		}
	}
}
