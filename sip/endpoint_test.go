package sip

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/portpool"
)

// startEndpoint runs an endpoint on loopback whose calls simply wait for
// the caller to hang up.
func startEndpoint(t *testing.T) *Endpoint {
	t.Helper()
	return runTestEndpoint(t, Config{
		Listen:       netip.MustParseAddrPort("127.0.0.1:0"),
		Transports:   []string{"udp", "tcp"},
		MaxCalls:     10,
		UserAgent:    "hotline-test",
		RTPAdvertise: netip.MustParseAddr("127.0.0.1"),
		IsHotline:    func(n string) bool { return n == "95598" },
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, 42000, 42100)
}

// runTestEndpoint starts an endpoint with cfg and RTP ports from the given
// range, whose calls simply wait for the caller to hang up; it is closed
// on cleanup.
func runTestEndpoint(t *testing.T, cfg Config, firstPort, lastPort int) *Endpoint {
	t.Helper()
	ports, err := portpool.New(netip.MustParseAddr("127.0.0.1"), firstPort, lastPort)
	if err != nil {
		t.Fatal(err)
	}
	pacer := media.NewPacer()
	pacer.Start()
	e, err := New(cfg, ports, pacer, nil, func(ctx context.Context, c *Call) {
		select {
		case <-c.Done():
		case <-ctx.Done():
		}
	})
	if err != nil {
		pacer.Stop()
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		pacer.Stop()
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(); pacer.Stop() })
	return e
}

// exchange sends one raw datagram and returns the status line of the reply,
// or "" when none comes.
func exchange(t *testing.T, conn *net.UDPConn, to netip.AddrPort, msg string) string {
	t.Helper()
	if _, err := conn.WriteToUDPAddrPort([]byte(msg), to); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8192)
	_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	for {
		n, _, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return ""
		}
		res := string(buf[:n])
		line, _, _ := strings.Cut(res, "\r\n")
		if strings.Contains(line, " 100 ") || !sameTransaction(msg, res) {
			continue // provisional, or a retransmission for an earlier request
		}
		return line
	}
}

// sameTransaction matches a response to the request by its Via branch.
func sameTransaction(req, res string) bool {
	_, after, ok := strings.Cut(req, "branch=")
	if !ok {
		return false
	}
	branch, _, _ := strings.Cut(after, ";")
	return strings.Contains(res, "branch="+branch)
}

func request(method, uri, branch string, port int, extra string) string {
	return fmt.Sprintf("%s %s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n"+
		"From: <sip:13800000001@127.0.0.1>;tag=t%s\r\n"+
		"To: <%s>\r\n"+
		"Call-ID: %s@test\r\n"+
		"CSeq: 1 %s\r\n"+
		"Max-Forwards: 70\r\n"+
		"Contact: <sip:13800000001@127.0.0.1:%d>\r\n"+
		"%s"+
		"Content-Length: 0\r\n\r\n", method, uri, port, branch, branch, uri, branch, method, port, extra)
}

func TestMalformedAndUnsupportedRequests(t *testing.T) {
	e := startEndpoint(t)
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	port := conn.LocalAddr().(*net.UDPAddr).Port
	to := e.Addr()
	before := runtime.NumGoroutine()

	cases := []struct {
		name, msg, want string
	}{
		{"options", request("OPTIONS", "sip:95598@127.0.0.1", "a1", port, ""), "SIP/2.0 200 OK"},
		{"unknown number", request("INVITE", "sip:110@127.0.0.1", "a2", port, ""), "SIP/2.0 404 Not Found"},
		{"unknown extension required", request("INVITE", "sip:95598@127.0.0.1", "a3", port, "Require: foo\r\n"), "SIP/2.0 420 Bad Extension"},
		{"known method we do not serve", request("SUBSCRIBE", "sip:95598@127.0.0.1", "a4", port, "Event: presence\r\n"), "SIP/2.0 405 Method Not Allowed"},
		{"extension method", request("FROBNICATE", "sip:95598@127.0.0.1", "a5", port, ""), "SIP/2.0 501 Not Implemented"},
		{"bye outside a dialog", request("BYE", "sip:95598@127.0.0.1", "a6", port, ""), "SIP/2.0 481 Call/Transaction Does Not Exist"},
		{"info outside a dialog", request("INFO", "sip:95598@127.0.0.1", "a7", port, ""), "SIP/2.0 481 Call/Transaction Does Not Exist"},
		{"stray cancel", request("CANCEL", "sip:95598@127.0.0.1", "a8", port, ""), "SIP/2.0 481 Call/Transaction Does Not Exist"},
		{"missing cseq", strings.Replace(request("OPTIONS", "sip:95598@127.0.0.1", "a9", port, ""), "CSeq: 1 OPTIONS\r\n", "", 1), "SIP/2.0 400 Bad Request"},
		{"garbage", "\x00\x01hello there\r\n\r\n", ""},
		{"truncated", "INVITE sip:95598@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP", ""},
		{"bare LF", strings.ReplaceAll(request("OPTIONS", "sip:95598@127.0.0.1", "b1", port, ""), "\r\n", "\n"), "*"},
		{"huge content length", strings.Replace(request("OPTIONS", "sip:95598@127.0.0.1", "b2", port, ""), "Content-Length: 0", "Content-Length: 99999", 1), "*"},
	}
	for _, tc := range cases {
		got := exchange(t, conn, to, tc.msg)
		if tc.want != "*" && got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		// Whatever came before, the endpoint must still answer.
		if got := exchange(t, conn, to, request("OPTIONS", "sip:95598@127.0.0.1", "ok"+tc.name[:2], port, "")); got != "SIP/2.0 200 OK" {
			t.Fatalf("after %s: OPTIONS got %q", tc.name, got)
		}
	}
	if e.ActiveCalls() != 0 || e.ports.InUse() != 0 {
		t.Errorf("left behind: %d calls, %d ports", e.ActiveCalls(), e.ports.InUse())
	}
	// Transactions linger for their timers, not as goroutines.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("goroutines grew from %d to %d", before, n)
	}
}
