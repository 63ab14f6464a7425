package sip

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/sip/guard"
)

func TestBanAfterTenFailuresOverUDP(t *testing.T) {
	for _, action := range []guard.Action{guard.ActionForbidden, guard.ActionSilence} {
		t.Run(string(action), func(t *testing.T) {
			e := startGuarded(t, func(c *Config) { c.Guard.BanAction = action })
			p := newRawPhone(t, e.Addr())
			uri := "sip:127.0.0.1"
			chal := p.send(p.request("REGISTER", uri, ""), time.Second)
			if statusLine(chal) != "SIP/2.0 401 Unauthorized" {
				t.Fatalf("first REGISTER: %q", statusLine(chal))
			}
			for i := 1; i <= 10; i++ {
				res := p.send(p.request("REGISTER", uri, authorization(t, chal, "REGISTER", uri, "1001", "guess")), time.Second)
				if statusLine(res) != "SIP/2.0 401 Unauthorized" {
					t.Fatalf("wrong password %d: %q, want a new challenge", i, statusLine(res))
				}
			}
			good := authorization(t, chal, "REGISTER", uri, "1001", "pw1001")
			want := "SIP/2.0 403 Forbidden"
			wait := time.Second
			if action == guard.ActionSilence {
				want, wait = "", 300*time.Millisecond
			}
			for _, msg := range []string{
				p.request("REGISTER", uri, good),               // even the right password
				p.request("INVITE", "sip:95598@127.0.0.1", ""), // and a hotline call
				p.request("OPTIONS", "sip:127.0.0.1", ""),
			} {
				if got := statusLine(p.send(msg, wait)); got != want {
					t.Errorf("banned %s: %q, want %q", strings.Fields(msg)[0], got, want)
				}
			}
			if e.rejected(guard.RejectAuthFailed) != 10 || e.rejected(guard.RejectBanned) != 3 || e.bans != 1 || e.BannedSources() != 1 {
				t.Errorf("auth_failed %d banned %d bans %d banned sources %d, want 10, 3, 1, 1",
					e.rejected(guard.RejectAuthFailed), e.rejected(guard.RejectBanned), e.bans, e.BannedSources())
			}
			other := newRawPhoneFrom(t, "127.0.0.2", e.Addr())
			if got := statusLine(other.send(other.request("OPTIONS", uri, ""), time.Second)); got != "SIP/2.0 200 OK" {
				t.Errorf("another source: %q", got)
			}
		})
	}
}

// TestBanExpires runs on the endpoint's clock: a fake one.
func TestBanExpires(t *testing.T) {
	clock := newFakeClock()
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock.now() }
	e := startGuarded(t, func(c *Config) { c.Now = now })
	p := newRawPhone(t, e.Addr())
	uri := "sip:1001@127.0.0.1"
	chal := p.send(p.request("REGISTER", uri, ""), time.Second)
	for i := 0; i < 10; i++ {
		p.send(p.request("REGISTER", uri, authorization(t, chal, "REGISTER", uri, "1001", "guess")), time.Second)
	}
	if got := statusLine(p.send(p.request("OPTIONS", uri, ""), time.Second)); got != "SIP/2.0 403 Forbidden" {
		t.Fatalf("after 10 failures: %q", got)
	}
	mu.Lock()
	clock.advance(15 * time.Minute)
	mu.Unlock()
	if got := statusLine(p.send(p.request("OPTIONS", uri, ""), time.Second)); got != "SIP/2.0 200 OK" {
		t.Fatalf("after 15 min: %q, want the ban lifted", got)
	}
	chal = p.send(p.request("REGISTER", uri, ""), time.Second)
	res := p.send(p.request("REGISTER", uri, authorization(t, chal, "REGISTER", uri, "1001", "pw1001")), time.Second)
	if statusLine(res) != "SIP/2.0 200 OK" {
		t.Errorf("right password after the ban: %q", statusLine(res))
	}
	if e.BannedSources() != 0 {
		t.Errorf("banned sources %d after expiry", e.BannedSources())
	}
}

func TestRateLimitOverUDPSparesDialogs(t *testing.T) {
	e := startGuarded(t, func(c *Config) {
		c.Guard.Invite, c.Guard.Register, c.Guard.Options = limit(0.001, 1), limit(0.001, 2), limit(0.001, 2)
	})
	p := newRawPhone(t, e.Addr())
	sdp := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"
	invite := strings.Replace(p.request("INVITE", "sip:95598@127.0.0.1", "Content-Type: application/sdp\r\n"),
		"Content-Length: 0\r\n\r\n", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(sdp), sdp), 1)
	ok := p.send(invite, 2*time.Second)
	if statusLine(ok) != "SIP/2.0 200 OK" {
		t.Fatalf("first INVITE: %q", statusLine(ok))
	}
	inDialog := func(method string, cseq int, body string) string {
		p.n++
		ct := ""
		if body != "" {
			ct = "Content-Type: application/sdp\r\n"
		}
		return fmt.Sprintf("%s sip:95598@127.0.0.1 SIP/2.0\r\n"+
			"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKdlg%d;rport\r\n"+
			"From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n"+
			"Contact: <sip:13800000001@127.0.0.1:%d>\r\n%sContent-Length: %d\r\n\r\n%s",
			method, p.port, p.n, header(invite, "From"), header(ok, "To"), header(invite, "Call-ID"),
			cseq, method, p.port, ct, len(body), body)
	}
	if _, err := p.conn.WriteToUDPAddrPort([]byte(inDialog("ACK", 1, "")), e.Addr()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		// Re-INVITEs (a hold key pressed over and over) are in the dialog.
		if got := statusLine(p.send(inDialog("INVITE", 2+i, sdp), 2*time.Second)); got != "SIP/2.0 200 OK" {
			t.Fatalf("re-INVITE %d: %q", i+1, got)
		}
	}
	res := p.send(p.request("INVITE", "sip:95598@127.0.0.1", ""), time.Second)
	if statusLine(res) != "SIP/2.0 503 Service Unavailable" || header(res, "Retry-After") == "" {
		t.Errorf("second new INVITE: %q Retry-After %q, want 503 with Retry-After", statusLine(res), header(res, "Retry-After"))
	}
	for i := 0; i < 2; i++ {
		p.send(p.request("OPTIONS", "sip:127.0.0.1", ""), time.Second)
	}
	if got := p.send(p.request("OPTIONS", "sip:127.0.0.1", ""), 300*time.Millisecond); got != "" {
		t.Errorf("OPTIONS over the limit answered %q, want silence", statusLine(got))
	}
	if got := statusLine(p.send(inDialog("BYE", 10, ""), 2*time.Second)); got != "SIP/2.0 200 OK" {
		t.Errorf("BYE: %q", got)
	}
	if e.rejected(guard.RejectRateLimited) != 2 {
		t.Errorf("rate_limited %d, want 2", e.rejected(guard.RejectRateLimited))
	}
	if n := strings.Count(e.logs.String(), `msg="sip source rate limited" source=127.0.0.1 `); n != 1 {
		t.Errorf("%d rate-limit log lines, want 1 (one per source per minute):\n%s", n, e.logs.String())
	}
}

// TestCPULimitRefusesNewCallsOverUDP: with the process over its CPU share
// a new call gets 503 with Retry-After and counts as overload; OPTIONS
// (no call) is still answered.
func TestCPULimitRefusesNewCallsOverUDP(t *testing.T) {
	cpu := 90.0
	var mu sync.Mutex
	e := startGuarded(t, func(c *Config) {
		c.Overload = guard.OverloadConfig{MaxCPUPercent: 80, CPUPercent: func() float64 { mu.Lock(); defer mu.Unlock(); return cpu }}
	})
	p := newRawPhone(t, e.Addr())
	res := p.send(p.request("INVITE", "sip:95598@127.0.0.1", ""), time.Second)
	if statusLine(res) != "SIP/2.0 503 Service Unavailable" || header(res, "Retry-After") != "30" {
		t.Errorf("INVITE at 90%% CPU: %q Retry-After %q, want 503 and 30", statusLine(res), header(res, "Retry-After"))
	}
	if got := statusLine(p.send(p.request("OPTIONS", "sip:127.0.0.1", ""), time.Second)); got != "SIP/2.0 200 OK" {
		t.Errorf("OPTIONS at 90%% CPU: %q", got)
	}
	mu.Lock()
	cpu = 10
	mu.Unlock()
	// Back under the limit the call passes the door (and fails later for
	// its body, which is no SDP: that proves it got past the limits).
	notSDP := strings.Replace(p.request("INVITE", "sip:95598@127.0.0.1", ""),
		"Content-Length: 0\r\n\r\n", "Content-Type: text/plain\r\nContent-Length: 1\r\n\r\nx", 1)
	if got := statusLine(p.send(notSDP, time.Second)); got != "SIP/2.0 415 Unsupported Media Type" {
		t.Errorf("INVITE at 10%% CPU: %q, want 415 (past the door)", got)
	}
	if e.rejected(guard.RejectOverload) != 1 || e.ActiveCalls() != 0 {
		t.Errorf("overload %d, calls %d; want 1 and 0", e.rejected(guard.RejectOverload), e.ActiveCalls())
	}
}
