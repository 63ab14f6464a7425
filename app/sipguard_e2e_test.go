package app

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/sip/guard"
)

// untrusted makes loopback an ordinary source, so the per-source limits
// apply to the test's own requests.
func untrusted(c *config.Config) { c.SIP.Security.TrustedNetworks = nil }

// udpPeer sends hand-written SIP requests from one UDP socket, as a
// scanner or a misbehaving phone would.
type udpPeer struct {
	t    *testing.T
	conn *net.UDPConn
	to   netip.AddrPort
	n    int
}

func newUDPPeer(t *testing.T, to netip.AddrPort) *udpPeer {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &udpPeer{t: t, conn: conn, to: to}
}

func (p *udpPeer) port() int { return p.conn.LocalAddr().(*net.UDPAddr).Port }

// request builds a request whose Request-URI and To are uri.
func (p *udpPeer) request(method, uri, headers, body string) (msg, branch string) {
	p.n++
	branch = fmt.Sprintf("z9hG4bKguard%d%d", p.port(), p.n)
	msg = fmt.Sprintf("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"+
		"From: <sip:13800000009@127.0.0.1>;tag=f%d\r\nTo: <%s>\r\nCall-ID: guard-%d-%d@test\r\n"+
		"CSeq: 1 %s\r\nMax-Forwards: 70\r\nContact: <sip:13800000009@127.0.0.1:%d>\r\n%s"+
		"Content-Length: %d\r\n\r\n%s",
		method, uri, p.port(), branch, p.n, uri, p.port(), p.n, method, p.port(), headers, len(body), body)
	return msg, branch
}

// send sends a request and returns its final response, or "" when none
// comes within wait.
func (p *udpPeer) send(method, uri, headers string, wait time.Duration) string {
	p.t.Helper()
	msg, branch := p.request(method, uri, headers, "")
	if _, err := p.conn.WriteToUDPAddrPort([]byte(msg), p.to); err != nil {
		p.t.Fatal(err)
	}
	buf := make([]byte, 8192)
	_ = p.conn.SetReadDeadline(time.Now().Add(wait))
	for {
		n, _, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return ""
		}
		res := string(buf[:n])
		if strings.Contains(res, "branch="+branch) && !strings.HasPrefix(res, "SIP/2.0 1") {
			return res
		}
	}
}

func status(res string) string {
	line, _, _ := strings.Cut(res, "\r\n")
	return line
}

func headerOf(res, name string) []string {
	var out []string
	for _, line := range strings.Split(res, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// answer computes an Authorization header for the first challenge of res.
func answer(t *testing.T, res, method, uri, user, password string) string {
	t.Helper()
	chals := headerOf(res, "WWW-Authenticate")
	if len(chals) == 0 {
		t.Fatalf("no challenge in %q", status(res))
	}
	chal, err := digest.ParseChallenge(chals[0])
	if err != nil {
		t.Fatal(err)
	}
	cred, err := digest.Digest(chal, digest.Options{Method: method, URI: uri, Username: user, Password: password, Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	return "Authorization: " + cred.String() + "\r\n"
}

// challengeShape is a 401's challenges with the nonce blanked out.
func challengeShape(t *testing.T, res string) string {
	t.Helper()
	if status(res) != "SIP/2.0 401 Unauthorized" {
		t.Fatalf("got %q, want 401", status(res))
	}
	var shapes []string
	for _, h := range headerOf(res, "WWW-Authenticate") {
		c, err := digest.ParseChallenge(h)
		if err != nil {
			t.Fatal(err)
		}
		c.Nonce = ""
		shapes = append(shapes, c.String())
	}
	return strings.Join(shapes, " | ")
}

// TestUnknownUserIsChallengedLikeAKnownOne: REGISTER and INVITE to a
// feature code as an agent that exists and as one that does not get the
// same challenges, and the same answer to a wrong password.
func TestUnknownUserIsChallengedLikeAKnownOne(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	p := newUDPPeer(t, h.srv.SIPAddr())
	host := h.srv.SIPAddr().String()
	for _, method := range []string{"REGISTER", "INVITE"} {
		var shapes, second []string
		for _, user := range []string{"1001", "9999"} {
			uri := "sip:" + user + "@" + host
			if method == "INVITE" {
				uri = "sip:*21@" + host
			}
			first := p.send(method, uri, "", 2*time.Second)
			shapes = append(shapes, challengeShape(t, first))
			again := p.send(method, uri, answer(t, first, method, uri, user, "wrong"), 2*time.Second)
			second = append(second, challengeShape(t, again))
		}
		if shapes[0] != shapes[1] || second[0] != second[1] {
			t.Errorf("%s: known and unknown users are told apart:\n%s\n%s\nthen\n%s\n%s", method, shapes[0], shapes[1], second[0], second[1])
		}
	}
	if got := h.metric("hotline_sip_rejected_total", "reason", "auth_failed"); got != 4 {
		t.Errorf("auth_failed = %v, want 4", got)
	}
}

// TestNoOpenRelay: a call to a number that is not a hotline number is
// refused with 404, from a stranger and from an authenticated agent alike,
// and the server sends no INVITE anywhere: not to the host in the
// Request-URI, not to a registered agent.
func TestNoOpenRelay(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	trap, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer trap.Close()
	trapAddr := trap.LocalAddr().String()
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)

	p := newUDPPeer(t, h.srv.SIPAddr())
	for _, uri := range []string{"sip:004930123456@" + trapAddr, "sip:+861012345678@" + trapAddr + ";user=phone"} {
		if got := status(p.send("INVITE", uri, "", 2*time.Second)); got != "SIP/2.0 404 Not Found" {
			t.Errorf("stranger's INVITE %s: %q, want 404", uri, got)
		}
	}
	// An agent's extension is for agents only: a stranger is challenged.
	if got := status(p.send("INVITE", "sip:1001@"+trapAddr, "", 2*time.Second)); got != "SIP/2.0 401 Unauthorized" {
		t.Errorf("stranger's INVITE to an agent's extension: %q, want 401", got)
	}
	_, err = agent.Call(ctxT(t, 5*time.Second), "004930123456")
	wantStatus(t, "agent dials an external number", err, 404)

	_ = trap.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _, err := trap.ReadFromUDP(make([]byte, 4096)); err == nil {
		t.Errorf("the server sent %d bytes to the host of a Request-URI", n)
	}
	select {
	case o := <-agent.Offers():
		t.Errorf("a registered agent was rung: %+v", o)
	default:
	}
	if got := h.metric("hotline_sip_rejected_total", "reason", "not_ours"); got != 3 {
		t.Errorf("not_ours = %v, want 3", got)
	}
	if got := h.metric("hotline_calls_total", "result", "failed"); got != 0 {
		t.Errorf("refused calls counted as failed: %v", got)
	}
}

// TestGuardRefusesScannersAndFloodsOverUDP: a scanner's User-Agent gets no
// answer; a REGISTER flood gets 503 with Retry-After past its bucket; an
// OPTIONS flood gets no answer; all of it shows on /metrics.
func TestGuardRefusesScannersAndFloodsOverUDP(t *testing.T) {
	h := start(t, e2eConfig, func(c *config.Config) {
		untrusted(c)
		c.SIP.Security.RateLimits.Register = config.Rate{PerSecond: 0.01, Burst: 3}
		c.SIP.Security.RateLimits.Options = config.Rate{PerSecond: 0.01, Burst: 5}
	})
	p := newUDPPeer(t, h.srv.SIPAddr())
	uri := "sip:" + h.srv.SIPAddr().String()

	if got := p.send("OPTIONS", uri, "User-Agent: friendly-scanner\r\n", 300*time.Millisecond); got != "" {
		t.Errorf("scanner answered: %q", status(got))
	}
	if got := status(p.send("OPTIONS", uri, "User-Agent: Linphone/5.2\r\n", 2*time.Second)); got != "SIP/2.0 200 OK" {
		t.Errorf("a phone's OPTIONS: %q", got)
	}
	for i := 0; i < 3; i++ {
		if got := status(p.send("REGISTER", "sip:1001@"+h.srv.SIPAddr().String(), "", 2*time.Second)); got != "SIP/2.0 404 Not Found" && got != "SIP/2.0 401 Unauthorized" {
			t.Fatalf("REGISTER %d within the burst: %q", i+1, got)
		}
	}
	res := p.send("REGISTER", "sip:1001@"+h.srv.SIPAddr().String(), "", 2*time.Second)
	if status(res) != "SIP/2.0 503 Service Unavailable" || len(headerOf(res, "Retry-After")) != 1 {
		t.Errorf("REGISTER past the burst: %q Retry-After %v", status(res), headerOf(res, "Retry-After"))
	}
	for i := 0; i < 4; i++ {
		p.send("OPTIONS", uri, "", 2*time.Second)
	}
	if got := p.send("OPTIONS", uri, "", 300*time.Millisecond); got != "" {
		t.Errorf("OPTIONS past the burst answered %q, want silence", status(got))
	}

	res2, err := http.Get("http://" + h.srv.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res2.Body)
	res2.Body.Close()
	for _, want := range []string{
		`hotline_sip_rejected_total{reason="user_agent"} 1`,
		`hotline_sip_rejected_total{reason="rate_limited"} 2`,
		`hotline_sip_bans_total 0`,
		`hotline_sip_banned_sources 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestBruteForceBansTheSource: ten wrong passwords ban the source; then
// even the right one and a hotline call get 403, and the ban is a metric.
func TestBruteForceBansTheSource(t *testing.T) {
	h := start(t, acdTestConfig, untrusted)
	p := newUDPPeer(t, h.srv.SIPAddr())
	uri := "sip:1001@" + h.srv.SIPAddr().String()
	chal := p.send("REGISTER", uri, "", 2*time.Second)
	for i := 0; i < 10; i++ {
		if got := status(p.send("REGISTER", uri, answer(t, chal, "REGISTER", uri, "1001", fmt.Sprint("guess", i)), 2*time.Second)); got != "SIP/2.0 401 Unauthorized" {
			t.Fatalf("wrong password %d: %q", i+1, got)
		}
	}
	if got := status(p.send("REGISTER", uri, answer(t, chal, "REGISTER", uri, "1001", "pw1001"), 2*time.Second)); got != "SIP/2.0 403 Forbidden" {
		t.Errorf("right password from a banned source: %q, want 403", got)
	}
	if got := status(p.send("INVITE", "sip:95598@"+h.srv.SIPAddr().String(), "", 2*time.Second)); got != "SIP/2.0 403 Forbidden" {
		t.Errorf("hotline call from a banned source: %q, want 403", got)
	}
	for series, want := range map[string]float64{"hotline_sip_bans_total": 1, "hotline_sip_banned_sources": 1} {
		if got := h.metric(series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if got := h.metric("hotline_sip_rejected_total", "reason", "auth_failed"); got != 10 {
		t.Errorf("auth_failed = %v, want 10", got)
	}
	if got := h.metric("hotline_sip_rejected_total", "reason", "banned"); got != 2 {
		t.Errorf("banned = %v, want 2", got)
	}
	// A real agent from another source is not affected.
	agent, err := testphone.New(testphone.Config{Server: h.srv.SIPAddr().String(), User: "1002", Password: "pw1002", LocalIP: "127.0.0.2"})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Close()
	if err := agent.Register(ctxT(t, 5*time.Second), "pw1002", time.Hour); err != nil {
		t.Errorf("agent from another address: %v", err)
	}
}

// TestCallRateLimitBlocks: past sip.max_calls_per_second a new call gets
// 503 with the configured Retry-After and counts as blocked; the call
// that is up goes on.
func TestCallRateLimitBlocks(t *testing.T) {
	h := start(t, e2eConfig, func(c *config.Config) {
		c.SIP.Overload.MaxCallsPerSecond = 0.01
		c.SIP.Overload.RetryAfter = 7 * time.Second
	})
	caller := h.phone("udp")
	first := h.dial(caller, "95598")
	res := newUDPPeer(t, h.srv.SIPAddr()).send("INVITE", "sip:95598@"+h.srv.SIPAddr().String(), "", 2*time.Second)
	if status(res) != "SIP/2.0 503 Service Unavailable" || strings.Join(headerOf(res, "Retry-After"), ",") != "7" {
		t.Errorf("second call: %q Retry-After %v, want 503 with 7", status(res), headerOf(res, "Retry-After"))
	}
	heard(t, first, 5, "the call that is up")
	if got := h.metric("hotline_calls_total", "result", "blocked"); got != 1 {
		t.Errorf("blocked = %v, want 1", got)
	}
	if got := h.metric("hotline_sip_rejected_total", "reason", "overload"); got != 1 {
		t.Errorf("overload = %v, want 1", got)
	}
	_ = first.Hangup(ctxT(t, 5*time.Second))
}

// TestRejectReasonsMatchMetrics keeps the sip package's reasons and the
// metric's label values one list.
func TestRejectReasonsMatchMetrics(t *testing.T) {
	if strings.Join(guard.RejectReasons, ",") != strings.Join(metrics.SIPRejectReasons, ",") {
		t.Errorf("sip reasons %v, metrics reasons %v", guard.RejectReasons, metrics.SIPRejectReasons)
	}
}
