package sip

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/sip/sipcert"
)

// startTLSEndpoint runs an endpoint with a TLS listener whose number 95599
// is secure-only; 95598 takes anything. Agent 1001 must use TLS.
func startTLSEndpoint(t *testing.T) (*Endpoint, *x509.CertPool) {
	t.Helper()
	cert, err := sipcert.SelfSignedCertificate([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	e := runTestEndpoint(t, Config{
		Listen:       netip.MustParseAddrPort("127.0.0.1:0"),
		Transports:   []string{"udp"},
		MaxCalls:     10,
		RTPAdvertise: netip.MustParseAddr("127.0.0.1"),
		IsHotline:    func(n string) bool { return n == "95598" || n == "95599" },
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		TLS: &TLSConfig{
			Listen:              netip.MustParseAddrPort("127.0.0.1:0"),
			Certificates:        []tls.Certificate{cert},
			SecureNumber:        func(n string) bool { return n == "95599" },
			AgentRequiresSecure: func(user string) bool { return user == "1001" },
		},
	}, 42200, 42300)
	if !e.TLSAddr().IsValid() || e.TLSAddr().Port() == 0 || e.TLSAddr() == e.Addr() {
		t.Fatalf("TLS address %v (udp %v)", e.TLSAddr(), e.Addr())
	}
	return e, roots
}

// sipConn is a raw SIP client on a stream connection.
type sipConn struct {
	conn net.Conn
	r    *bufio.Reader
}

func (c *sipConn) send(t *testing.T, msg string) {
	t.Helper()
	if _, err := io.WriteString(c.conn, msg); err != nil {
		t.Fatal(err)
	}
}

// next reads one message; provisional responses are skipped when final.
func (c *sipConn) next(t *testing.T, final bool) (head, body string) {
	t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		var h strings.Builder
		length := 0
		for {
			line, err := c.r.ReadString('\n')
			if err != nil {
				t.Fatalf("read: %v (so far %q)", err, h.String())
			}
			if line == "\r\n" {
				break
			}
			h.WriteString(line)
			if v, ok := strings.CutPrefix(strings.ToLower(line), "content-length:"); ok {
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		b := make([]byte, length)
		if _, err := io.ReadFull(c.r, b); err != nil {
			t.Fatal(err)
		}
		if final && strings.HasPrefix(h.String(), "SIP/2.0 1") {
			continue
		}
		return h.String(), string(b)
	}
}

func invite(transport, local string, server netip.AddrPort, number, callID, body string) string {
	return fmt.Sprintf("INVITE sip:%s@%s;transport=%s SIP/2.0\r\n"+
		"Via: SIP/2.0/%s %s;branch=z9hG4bK%s\r\n"+
		"From: <sip:13800000001@127.0.0.1>;tag=f%s\r\nTo: <sip:%s@127.0.0.1>\r\n"+
		"Call-ID: %s\r\nCSeq: 1 INVITE\r\nContact: <sip:13800000001@%s;transport=%s>\r\nMax-Forwards: 70\r\n"+
		"Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		number, server, strings.ToLower(transport), transport, local, callID, callID, number, callID, local,
		strings.ToLower(transport), len(body), body)
}

func sdpOffer(proto string, extra ...string) string {
	lines := []string{"v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
		"m=audio 40000 " + proto + " 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"}
	return strings.Join(append(lines, extra...), "\r\n") + "\r\n"
}

func TestTLSListenerAndSecureNumbers(t *testing.T) {
	e, roots := startTLSEndpoint(t)
	conn, err := tls.Dial("tcp", e.TLSAddr().String(), &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("TLS handshake with the server's certificate: %v", err)
	}
	defer conn.Close()
	c := &sipConn{conn: conn, r: bufio.NewReader(conn)}
	local := conn.LocalAddr().String()

	// Plain RTP to the secure-only number over TLS: 488.
	c.send(t, invite("TLS", local, e.TLSAddr(), "95599", "plain-over-tls", sdpOffer("RTP/AVP")))
	if head, _ := c.next(t, true); !strings.HasPrefix(head, "SIP/2.0 488") {
		t.Fatalf("RTP/AVP to a secure number: %q", head)
	}
	c.send(t, "ACK sip:95599@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS "+local+";branch=z9hG4bKplain-over-tls\r\n"+
		"From: <sip:13800000001@127.0.0.1>;tag=fplain-over-tls\r\nTo: <sip:95599@127.0.0.1>\r\nCall-ID: plain-over-tls\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n")

	// SRTP over TLS: answered with RTP/SAVP, our own key under the same tag.
	offerKey := "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
	c.send(t, invite("TLS", local, e.TLSAddr(), "95599", "srtp-over-tls",
		sdpOffer("RTP/SAVP", "a=crypto:7 AES_CM_128_HMAC_SHA1_80 "+offerKey)))
	head, body := c.next(t, true)
	if !strings.HasPrefix(head, "SIP/2.0 200") {
		t.Fatalf("SRTP over TLS: %q", head)
	}
	if !strings.Contains(body, "RTP/SAVP") || !strings.Contains(body, "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:") || strings.Contains(body, offerKey) {
		t.Fatalf("answer:\n%s", body)
	}
	if !strings.Contains(strings.ToLower(head), ";transport=tls") || !strings.Contains(head, ":"+strconv.Itoa(int(e.TLSAddr().Port()))) {
		t.Fatalf("Contact of a TLS dialog must name the TLS listener:\n%s", head)
	}
	if e.ActiveCalls() != 1 {
		t.Fatalf("%d active calls", e.ActiveCalls())
	}
	// ACK and hang up over the same connection: in-dialog requests work.
	to := headerValue(head, "To")
	inDialog := func(method string, cseq int) string {
		return fmt.Sprintf("%s sip:95599@%s;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS %s;branch=z9hG4bK%s%d\r\n"+
			"From: <sip:13800000001@127.0.0.1>;tag=fsrtp-over-tls\r\nTo: %s\r\nCall-ID: srtp-over-tls\r\n"+
			"CSeq: %d %s\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", method, e.TLSAddr(), local, method, cseq, to, cseq, method)
	}
	c.send(t, inDialog("ACK", 1))
	c.send(t, inDialog("BYE", 2))
	if head, _ := c.next(t, true); !strings.HasPrefix(head, "SIP/2.0 200") {
		t.Fatalf("BYE over TLS: %q", head)
	}

	// The same secure number over UDP: 403 with a Warning saying why.
	udp, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	msg := invite("UDP", udp.LocalAddr().String(), e.Addr(), "95599", "srtp-over-udp",
		sdpOffer("RTP/SAVP", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "+offerKey))
	if line := exchange(t, udp, e.Addr(), msg); !strings.HasPrefix(line, "SIP/2.0 403") {
		t.Fatalf("secure number over UDP: %q", line)
	}
	// An SRTP-only offer with no suite we support: 488.
	msg = invite("UDP", udp.LocalAddr().String(), e.Addr(), "95598", "srtp-bad-suite",
		sdpOffer("RTP/SAVP", "a=crypto:1 AEAD_AES_256_GCM "+offerKey))
	if line := exchange(t, udp, e.Addr(), msg); !strings.HasPrefix(line, "SIP/2.0 488") {
		t.Fatalf("unsupported suite: %q", line)
	}
}

func TestTLSRejectsOldVersions(t *testing.T) {
	e, roots := startTLSEndpoint(t)
	_, err := tls.Dial("tcp", e.TLSAddr().String(), &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS11, ServerName: "127.0.0.1"})
	if err == nil {
		t.Fatal("TLS 1.1 handshake accepted")
	}
}

func TestSecureAgentMustRegisterOverTLS(t *testing.T) {
	e, _ := startTLSEndpoint(t)
	udp, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	register := func(user string) string {
		local := udp.LocalAddr().String()
		return fmt.Sprintf("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKreg%s\r\n"+
			"From: <sip:%s@127.0.0.1>;tag=r\r\nTo: <sip:%s@127.0.0.1>\r\nCall-ID: reg%s\r\nCSeq: 1 REGISTER\r\n"+
			"Contact: <sip:%s@%s>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", local, user, user, user, user, user, local)
	}
	// The secure agent is refused at once, before any digest challenge.
	if line := exchange(t, udp, e.Addr(), register("1001")); !strings.HasPrefix(line, "SIP/2.0 403") {
		t.Fatalf("secure agent over UDP: %q", line)
	}
	// Any other agent gets the usual challenge.
	if line := exchange(t, udp, e.Addr(), register("1002")); !strings.HasPrefix(line, "SIP/2.0 401") {
		t.Fatalf("ordinary agent over UDP: %q", line)
	}
}

func headerValue(head, name string) string {
	for _, line := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
