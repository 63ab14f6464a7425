package sip

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/hotline-oss/hotline/internal/testproc"
)

// guardedEndpoint is an endpoint with the guard configured by edit, its
// log lines and refusals recorded.
type guardedEndpoint struct {
	*Endpoint
	logs *testproc.Output

	mu      sync.Mutex
	rejects map[string]int
	bans    int
}

func (g *guardedEndpoint) rejected(reason string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rejects[reason]
}

func startGuarded(t *testing.T, edit func(*Config)) *guardedEndpoint {
	t.Helper()
	g := &guardedEndpoint{logs: &testproc.Output{}, rejects: map[string]int{}}
	cfg := Config{
		Listen:        netip.MustParseAddrPort("127.0.0.1:0"),
		Transports:    []string{"udp"},
		MaxCalls:      10,
		UserAgent:     "hotline-test",
		RTPAdvertise:  netip.MustParseAddr("127.0.0.1"),
		IsHotline:     func(n string) bool { return n == "95598" },
		IsInternal:    func(n string) bool { return n == "*21" },
		AgentPassword: func(u string) (string, bool) { return "pw1001", u == "1001" },
		Logger:        slog.New(slog.NewTextHandler(g.logs, nil)),
		OnReject: func(reason string) {
			g.mu.Lock()
			g.rejects[reason]++
			g.mu.Unlock()
		},
		OnBan: func() { g.mu.Lock(); g.bans++; g.mu.Unlock() },
	}
	if edit != nil {
		edit(&cfg)
	}
	g.Endpoint = runTestEndpoint(t, cfg, 42200, 42300)
	return g
}

// rawPhone sends hand-written requests from one UDP socket.
type rawPhone struct {
	t    *testing.T
	conn *net.UDPConn
	to   netip.AddrPort
	port int
	n    int
}

func newRawPhone(t *testing.T, to netip.AddrPort) *rawPhone {
	return newRawPhoneFrom(t, "127.0.0.1", to)
}

// newRawPhoneFrom binds another loopback address (Linux routes all of
// 127/8 to lo) to act as another source.
func newRawPhoneFrom(t *testing.T, ip string, to netip.AddrPort) *rawPhone {
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(ip), 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &rawPhone{t: t, conn: conn, to: to, port: conn.LocalAddr().(*net.UDPAddr).Port}
}

// send sends msg and returns the final response, or "" when none comes
// within wait.
func (p *rawPhone) send(msg string, wait time.Duration) string {
	p.t.Helper()
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
		line, _, _ := strings.Cut(res, "\r\n")
		if strings.Contains(line, " 100 ") || strings.Contains(line, " 180 ") || !sameTransaction(msg, res) {
			continue
		}
		return res
	}
}

func (p *rawPhone) request(method, uri, extra string) string {
	p.n++
	return request(method, uri, fmt.Sprintf("%s%d", strings.ToLower(method), p.n), p.port, extra)
}

func statusLine(res string) string {
	line, _, _ := strings.Cut(res, "\r\n")
	return line
}

func header(res, name string) string {
	for _, line := range strings.Split(res, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// authorization answers the first challenge of a 401 as user/password.
func authorization(t *testing.T, res, method, uri, user, password string) string {
	t.Helper()
	chal, err := digest.ParseChallenge(header(res, "WWW-Authenticate"))
	if err != nil {
		t.Fatalf("challenge in %q: %v", statusLine(res), err)
	}
	cred, err := digest.Digest(chal, digest.Options{Method: method, URI: uri, Username: user, Password: password, Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	return "Authorization: " + cred.String() + "\r\n"
}
