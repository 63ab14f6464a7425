package sip

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A caller written by hand over UDP, to send what carriers send and what
// no library would: INVITEs without SDP, ACKs without the answer, PRACKs
// for responses never sent.

type carrier struct {
	t    *testing.T
	conn *net.UDPConn
	to   netip.AddrPort
	port int
	id   string
}

func newCarrier(t *testing.T, e *Endpoint, id string) *carrier {
	t.Helper()
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &carrier{t: t, conn: conn, to: e.Addr(), port: conn.LocalAddr().(*net.UDPAddr).Port, id: id}
}

// msg builds a request of the carrier's call; to is the To header value
// (with the tag once the dialog exists).
func (c *carrier) msg(method string, cseq int, cseqMethod, to, branch string, headers []string, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s sip:95598@127.0.0.1 SIP/2.0\r\n", method)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n", c.port, branch)
	fmt.Fprintf(&b, "From: <sip:13800000001@127.0.0.1>;tag=f%s\r\nTo: %s\r\nCall-ID: %s@carrier\r\n", c.id, to, c.id)
	fmt.Fprintf(&b, "CSeq: %d %s\r\nMax-Forwards: 70\r\nContact: <sip:13800000001@127.0.0.1:%d>\r\n", cseq, cseqMethod, c.port)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	if body != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.String()
}

func (c *carrier) send(m string) {
	c.t.Helper()
	if _, err := c.conn.WriteToUDPAddrPort([]byte(m), c.to); err != nil {
		c.t.Fatal(err)
	}
}

// await reads until a message whose first line contains want arrives.
func (c *carrier) await(want string, d time.Duration) string {
	c.t.Helper()
	buf := make([]byte, 8192)
	_ = c.conn.SetReadDeadline(time.Now().Add(d))
	for {
		n, _, err := c.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			c.t.Fatalf("no %q within %s", want, d)
		}
		m := string(buf[:n])
		if strings.Contains(statusLine(m), want) {
			return m
		}
	}
}

// answerTo replies 200 to a request the server sent us.
func (c *carrier) answerTo(req string) {
	var b strings.Builder
	b.WriteString("SIP/2.0 200 OK\r\n")
	for _, name := range []string{"Via", "From", "To", "Call-ID", "CSeq"} {
		fmt.Fprintf(&b, "%s: %s\r\n", name, header(req, name))
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	c.send(b.String())
}

func quietEndpoint(t *testing.T, edit func(*Config)) *Endpoint {
	cfg := Config{
		Listen:       netip.MustParseAddrPort("127.0.0.1:0"),
		Transports:   []string{"udp"},
		MaxCalls:     10,
		RTPAdvertise: netip.MustParseAddr("127.0.0.1"),
		IsHotline:    func(n string) bool { return n == "95598" },
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		T1:           50 * time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	return runTestEndpoint(t, cfg, 43100, 43199)
}

func answerSDP(port int) string {
	return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio " + strconv.Itoa(port) + " RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
}

// TestLateOfferAckWithoutAnswerGetsBye: an INVITE without SDP gets our
// offer in the 200; an ACK without the answer ends the call with a BYE.
func TestLateOfferAckWithoutAnswerGetsBye(t *testing.T) {
	e := quietEndpoint(t, nil)
	c := newCarrier(t, e, "late1")
	c.send(c.msg("INVITE", 1, "INVITE", "<sip:95598@127.0.0.1>", "i1", nil, ""))
	ok := c.await("200 OK", 2*time.Second)
	if !strings.Contains(ok, "m=audio ") || !strings.Contains(ok, "PCMU/8000") || !strings.Contains(ok, "a=sendrecv") {
		t.Fatalf("200 to a late offer carries no offer:\n%s", ok)
	}
	c.send(c.msg("ACK", 1, "ACK", header(ok, "To"), "a1", nil, ""))
	bye := c.await("BYE ", 2*time.Second)
	c.answerTo(bye)
	waitFor(t, func() bool { return e.ActiveCalls() == 0 && e.ports.InUse() == 0 })
}

// TestLateOfferAnswerInAck: with the answer in the ACK the call is up and
// the caller's BYE ends it.
func TestLateOfferAnswerInAck(t *testing.T) {
	e := quietEndpoint(t, nil)
	c := newCarrier(t, e, "late2")
	c.send(c.msg("INVITE", 1, "INVITE", "<sip:95598@127.0.0.1>", "i1", nil, ""))
	ok := c.await("200 OK", 2*time.Second)
	c.send(c.msg("ACK", 1, "ACK", header(ok, "To"), "a1", nil, answerSDP(41000)))
	time.Sleep(200 * time.Millisecond) // a BYE would have left by now
	if e.ActiveCalls() != 1 {
		t.Fatalf("calls %d after a good answer in the ACK, want 1", e.ActiveCalls())
	}
	c.send(c.msg("BYE", 2, "BYE", header(ok, "To"), "b1", nil, ""))
	c.await("200 OK", 2*time.Second)
	waitFor(t, func() bool { return e.ActiveCalls() == 0 && e.ports.InUse() == 0 })
}

// TestPrackForUnknownRSeq: a PRACK naming a provisional response we never
// sent gets 481; the right one gets 200 and the call is then answered.
func TestPrackForUnknownRSeq(t *testing.T) {
	e := quietEndpoint(t, func(cfg *Config) { cfg.AnswerDelay = 300 * time.Millisecond })
	c := newCarrier(t, e, "prack1")
	c.send(c.msg("INVITE", 1, "INVITE", "<sip:95598@127.0.0.1>", "i1",
		[]string{"Require: 100rel", "Supported: 100rel"}, answerSDP(41002)))
	ringing := c.await("180 Ringing", 2*time.Second)
	if header(ringing, "Require") != "100rel" || header(ringing, "RSeq") == "" {
		t.Fatalf("180 not reliable:\n%s", ringing)
	}
	rseq, _ := strconv.Atoi(header(ringing, "RSeq"))
	to := header(ringing, "To")
	// Unacknowledged, the 180 comes again with the same RSeq (T1 is 50 ms).
	if again := c.await("180 Ringing", time.Second); header(again, "RSeq") != header(ringing, "RSeq") {
		t.Fatalf("retransmitted 180 has RSeq %q, want %q", header(again, "RSeq"), header(ringing, "RSeq"))
	}
	c.send(c.msg("PRACK", 2, "PRACK", to, "p1", []string{fmt.Sprintf("RAck: %d 1 INVITE", rseq+7)}, ""))
	if res := c.await("481", time.Second); !strings.Contains(header(res, "CSeq"), "PRACK") {
		t.Fatalf("481 for the wrong request:\n%s", res)
	}
	c.send(c.msg("PRACK", 3, "PRACK", to, "p2", []string{fmt.Sprintf("RAck: %d 1 INVITE", rseq)}, ""))
	if res := c.await("200 OK", time.Second); !strings.Contains(header(res, "CSeq"), "PRACK") {
		t.Fatalf("want the PRACK's 200 first, got:\n%s", res)
	}
	inviteOK := c.await("200 OK", 2*time.Second)
	if !strings.Contains(header(inviteOK, "CSeq"), "INVITE") {
		t.Fatalf("want the INVITE's 200 after the PRACK, got:\n%s", inviteOK)
	}
	c.send(c.msg("ACK", 1, "ACK", to, "a1", nil, ""))
	c.send(c.msg("BYE", 4, "BYE", to, "b1", nil, ""))
	waitFor(t, func() bool { return e.ActiveCalls() == 0 && e.ports.InUse() == 0 })
}

// TestPrackOutsideAnyDialog: a PRACK that matches no INVITE gets 481.
func TestPrackOutsideAnyDialog(t *testing.T) {
	e := quietEndpoint(t, nil)
	c := newCarrier(t, e, "prack2")
	c.send(c.msg("PRACK", 2, "PRACK", "<sip:95598@127.0.0.1>;tag=nosuch", "p1", []string{"RAck: 1 1 INVITE"}, ""))
	if got := statusLine(c.await("SIP/2.0", time.Second)); got != "SIP/2.0 481 Call/Transaction Does Not Exist" {
		t.Fatalf("PRACK outside a dialog: %q", got)
	}
}

// TestSessionExpiresBelowMinSE: a Session-Expires below our Min-SE gets
// 422 with our Min-SE, before the call is counted; a malformed one 400.
func TestSessionExpiresBelowMinSE(t *testing.T) {
	e := quietEndpoint(t, nil)
	c := newCarrier(t, e, "se1")
	c.send(c.msg("INVITE", 1, "INVITE", "<sip:95598@127.0.0.1>", "i1",
		[]string{"Supported: timer", "Session-Expires: 30;refresher=uac"}, answerSDP(41004)))
	res := c.await("SIP/2.0", time.Second)
	if statusLine(res) != "SIP/2.0 422 Session Interval Too Small" || header(res, "Min-SE") != "90" {
		t.Fatalf("Session-Expires 30: %q Min-SE %q, want 422 and 90", statusLine(res), header(res, "Min-SE"))
	}
	c.send(c.msg("ACK", 1, "ACK", header(res, "To"), "i1", nil, ""))
	c2 := newCarrier(t, e, "se2")
	c2.send(c2.msg("INVITE", 1, "INVITE", "<sip:95598@127.0.0.1>", "i1",
		[]string{"Session-Expires: soon"}, answerSDP(41004)))
	if got := statusLine(c2.await("SIP/2.0", time.Second)); !strings.HasPrefix(got, "SIP/2.0 400") {
		t.Fatalf("malformed Session-Expires: %q, want 400", got)
	}
	if e.ActiveCalls() != 0 {
		t.Errorf("calls %d, want 0", e.ActiveCalls())
	}
}

// TestSessionTimerNegotiated: the 200 carries the interval and refresher,
// and Require: timer for a caller that supports timers.
func TestSessionTimerNegotiated(t *testing.T) {
	e := quietEndpoint(t, nil)
	c := newCarrier(t, e, "se3")
	c.send(c.msg("INVITE", 1, "INVITE", "<sip:95598@127.0.0.1>", "i1",
		[]string{"Supported: timer, 100rel", "Session-Expires: 120", "Min-SE: 90"}, answerSDP(41006)))
	ok := c.await("200 OK", 2*time.Second)
	if header(ok, "Session-Expires") != "120;refresher=uac" || header(ok, "Require") != "timer" {
		t.Fatalf("200: Session-Expires %q Require %q", header(ok, "Session-Expires"), header(ok, "Require"))
	}
	c.send(c.msg("ACK", 1, "ACK", header(ok, "To"), "a1", nil, ""))
	c.send(c.msg("BYE", 2, "BYE", header(ok, "To"), "b1", nil, ""))
	waitFor(t, func() bool { return e.ActiveCalls() == 0 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReInviteWithoutSDPTakesTheAnswerFromTheAck: a re-INVITE without SDP
// gets our offer in its 200; the answer in the ACK moves our RTP to the
// new address it names.
func TestReInviteWithoutSDPTakesTheAnswerFromTheAck(t *testing.T) {
	e := quietEndpoint(t, nil)
	c := newCarrier(t, e, "reoffer1")
	rtpA, rtpB := listenRTP(t), listenRTP(t)
	c.send(c.msg("INVITE", 1, "INVITE", "<sip:95598@127.0.0.1>", "i1", nil, answerSDP(rtpA.port)))
	ok := c.await("200 OK", 2*time.Second)
	to := header(ok, "To")
	c.send(c.msg("ACK", 1, "ACK", to, "a1", nil, ""))
	rtpA.expect(t)

	c.send(c.msg("INVITE", 2, "INVITE", to, "i2", nil, ""))
	offer := c.await("200 OK", 2*time.Second)
	if !strings.Contains(offer, "a=sendrecv") || !strings.Contains(offer, "m=audio ") {
		t.Fatalf("200 to a re-INVITE without SDP carries no sendrecv offer:\n%s", offer)
	}
	c.send(c.msg("ACK", 2, "ACK", to, "a2", nil, answerSDP(rtpB.port)))
	rtpB.expect(t)
	c.send(c.msg("BYE", 3, "BYE", to, "b1", nil, ""))
	waitFor(t, func() bool { return e.ActiveCalls() == 0 })
}

type rtpSink struct {
	conn *net.UDPConn
	port int
}

func listenRTP(t *testing.T) rtpSink {
	t.Helper()
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return rtpSink{conn: conn, port: conn.LocalAddr().(*net.UDPAddr).Port}
}

// expect waits for an RTP packet from the server.
func (s rtpSink) expect(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1500)
	_ = s.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, _, err := s.conn.ReadFromUDPAddrPort(buf); err != nil {
		t.Fatalf("no RTP at port %d: %v", s.port, err)
	}
}

// TestCancelWhileReliableProvisionalPending: a caller that cancels while
// our reliable 180 awaits its PRACK gets 487, and the call leaves nothing
// behind (no retransmission loop, no RTP port).
func TestCancelWhileReliableProvisionalPending(t *testing.T) {
	e := quietEndpoint(t, func(cfg *Config) { cfg.AnswerDelay = time.Second })
	c := newCarrier(t, e, "cancel1")
	c.send(c.msg("INVITE", 1, "INVITE", "<sip:95598@127.0.0.1>", "i1",
		[]string{"Require: 100rel"}, answerSDP(41008)))
	c.await("180 Ringing", 2*time.Second)
	c.send(c.msg("CANCEL", 1, "CANCEL", "<sip:95598@127.0.0.1>", "i1", nil, ""))
	terminated := c.await("487", 2*time.Second)
	c.send(c.msg("ACK", 1, "ACK", header(terminated, "To"), "i1", nil, ""))
	waitFor(t, func() bool { return e.ActiveCalls() == 0 && e.ports.InUse() == 0 })
}
