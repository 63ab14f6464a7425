package kamailio_test

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
)

// responder is a tiny SIP node stand-in: it answers OPTIONS with 200 and
// INVITE with 486 (so no dialog follows), names itself in X-Node, and
// counts the INVITEs it sees. Its mode can make it silent (a dead node)
// or answer INVITEs with 503 (a node that lost NATS).
type responder struct {
	name string
	conn *net.UDPConn

	mu      sync.Mutex
	mode    string // "up", "silent", "503"
	invites int
	options int
}

func newResponder(t *testing.T, name, ip string) *responder {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Skipf("cannot bind %s (the test needs loopback addresses beyond 127.0.0.1): %v", ip, err)
	}
	r := &responder{name: name, conn: c, mode: "up"}
	t.Cleanup(func() { c.Close() })
	go r.serve()
	return r
}

func (r *responder) addr() string { return r.conn.LocalAddr().String() }

func (r *responder) setMode(m string) { r.mu.Lock(); r.mode = m; r.mu.Unlock() }

func (r *responder) counts() (invites, options int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.invites, r.options
}

func (r *responder) serve() {
	buf := make([]byte, 8192)
	for {
		n, from, err := r.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		msg := string(buf[:n])
		method, _, _ := strings.Cut(msg, " ")
		r.mu.Lock()
		mode := r.mode
		switch method {
		case "INVITE":
			r.invites++
		case "OPTIONS":
			r.options++
		}
		r.mu.Unlock()
		if mode == "silent" {
			continue
		}
		var code string
		switch {
		case method == "OPTIONS":
			code = "200 OK"
		case method == "INVITE" && mode == "503":
			code = "503 Service Unavailable"
		case method == "INVITE":
			code = "486 Busy Here"
		default:
			continue // ACK and anything else: no answer
		}
		_, _ = r.conn.WriteToUDP([]byte(response(msg, code, r.name)), from)
	}
}

// response builds a reply to req: its Vias, From, To (tagged), Call-ID
// and CSeq, plus X-Node.
func response(req, status, node string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %s\r\n", status)
	for _, line := range strings.Split(req, "\r\n") {
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "v", "from", "f", "call-id", "i", "cseq":
			b.WriteString(line + "\r\n")
		case "to", "t":
			if !strings.Contains(line, ";tag=") {
				line += ";tag=" + node
			}
			b.WriteString(line + "\r\n")
		}
	}
	fmt.Fprintf(&b, "X-Node: %s\r\nContent-Length: 0\r\n\r\n", node)
	return b.String()
}

// header returns the first value of a header in a SIP message.
func header(msg, name string) string {
	for _, line := range strings.Split(msg, "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
