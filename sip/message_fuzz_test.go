package sip

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/emiago/sipgo/siptest"

	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/portpool"
	"github.com/hotline-oss/hotline/sip/guard"
)

// fuzzEndpoint is an endpoint with its SIP stack built but no listener:
// requests are handed to its handlers directly with a recording server
// transaction. Its port pool has a single port, which the harness holds,
// so an INVITE that gets through routing and SDP negotiation is refused
// when it asks for RTP (503) instead of waiting 32 s for an ACK that a
// fuzzer never sends; the answered path is covered by the storm test.
type fuzzEndpoint struct {
	e        *Endpoint
	dispatch map[sipmsg.RequestMethod]sipgo.RequestHandler
	noRoute  sipgo.RequestHandler
	sources  atomic.Uint32
}

func newFuzzEndpoint(tb testing.TB) *fuzzEndpoint {
	tb.Helper()
	ports := heldPortPool(tb)
	e, err := New(Config{
		Listen:        netip.MustParseAddrPort("127.0.0.1:5060"),
		Transports:    []string{"udp"},
		MaxCalls:      4,
		UserAgent:     "hotline-fuzz",
		RTPAdvertise:  netip.MustParseAddr("127.0.0.1"),
		IsHotline:     func(n string) bool { return n == "95598" },
		IsInternal:    func(n string) bool { return strings.HasPrefix(n, "*") },
		AgentPassword: func(u string) (string, bool) { return "pw", u == "1001" },
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, ports, media.NewPacer(), nil, func(ctx context.Context, c *Call) {})
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.buildStack(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	// The same handlers, wrapped the same way, as buildStack registers.
	f := &fuzzEndpoint{e: e, noRoute: e.guarded(guard.ClassOptions, e.onUnsupported)}
	f.dispatch = map[sipmsg.RequestMethod]sipgo.RequestHandler{
		sipmsg.INVITE:   e.guarded(guard.ClassInvite, e.onInvite),
		sipmsg.ACK:      e.guarded(unguarded, e.onAck),
		sipmsg.BYE:      e.guarded(unguarded, e.onBye),
		sipmsg.CANCEL:   e.guarded(unguarded, e.onStrayCancel),
		sipmsg.OPTIONS:  e.guarded(guard.ClassOptions, e.onOptions),
		sipmsg.INFO:     e.guarded(unguarded, e.onInfo),
		sipmsg.REGISTER: e.guarded(guard.ClassRegister, e.onRegister),
		sipmsg.REFER:    e.guarded(unguarded, e.onRefer),
		sipmsg.NOTIFY:   e.guarded(unguarded, e.onNotify),
	}
	return f
}

// heldPortPool returns a one-port pool whose port is taken: a free port
// is picked at random, since a pool needs a fixed range.
func heldPortPool(tb testing.TB) *portpool.Pool {
	tb.Helper()
	for range 20 {
		low := 40000 + 2*rand.IntN(9000)
		ports, err := portpool.New(netip.MustParseAddr("127.0.0.1"), low, low+1)
		if err != nil {
			tb.Fatal(err)
		}
		if conn, _, err := ports.Acquire(); err == nil {
			tb.Cleanup(func() { _ = conn.Close() })
			return ports
		}
	}
	tb.Fatal("no free RTP port pair for the harness")
	return nil
}

// handle parses data as sipgo's UDP transport does and runs the request
// through our handler, returning the responses sent; ok is false when
// sipgo would not reach a handler (not a request, no transaction key).
func (f *fuzzEndpoint) handle(data []byte) (res []*sipmsg.Response, ok bool) {
	msg, err := sipmsg.NewParser().ParseSIP(data)
	if err != nil {
		return nil, false
	}
	req, isReq := msg.(*sipmsg.Request)
	if !isReq {
		return nil, false
	}
	// A new source each time, so the per-source rate limits do not end
	// up refusing everything the fuzzer tries.
	n := f.sources.Add(1)
	req.SetSource(fmt.Sprintf("10.%d.%d.%d:5060", byte(n>>16), byte(n>>8), byte(n)))
	req.SetDestination("127.0.0.1:5060")
	req.SetTransport("UDP")
	if _, err := sipmsg.ServerTxKeyMake(req); err != nil {
		return nil, false // sipgo answers 400 statelessly
	}
	tx := siptest.NewServerTxRecorder(req)
	h, found := f.dispatch[req.Method]
	if !found {
		h = f.noRoute
	}
	// sipgo's dialog waits for the ACK of a final INVITE response; no
	// fuzzer sends one, so once a final response is out the transaction
	// is terminated, which is what Timer H would do 32 s later. Not
	// TerminateGracefully either: that waits out the same timer.
	done := make(chan struct{})
	go func() { defer close(done); h(req, tx) }()
	limit := time.After(handlerLimit)
	for {
		select {
		case <-done:
			res = tx.Result()
			tx.Terminate()
			return res, true
		case <-limit:
			tx.Terminate()
			<-done
			return append(tx.Result(), &sipmsg.Response{StatusCode: 0, Reason: "handler hung"}), true
		case <-time.After(time.Millisecond):
			if hasFinal(tx.Result()) {
				tx.Terminate()
			}
		}
	}
}

// handlerLimit is how long one request may keep its handler busy.
const handlerLimit = 5 * time.Second

func hasFinal(res []*sipmsg.Response) bool {
	for _, r := range res {
		if r.StatusCode >= 200 {
			return true
		}
	}
	return false
}

// checkInvariants fails on two different final responses (the
// transaction's retransmissions of one are fine), a status outside
// 1xx–6xx, or a call slot or RTP port left behind.
func (f *fuzzEndpoint) checkInvariants(t *testing.T, data []byte, res []*sipmsg.Response) {
	t.Helper()
	var final *sipmsg.Response
	for _, r := range res {
		if r.StatusCode < 100 || r.StatusCode > 699 {
			t.Fatalf("status %d %s for %q", r.StatusCode, r.Reason, data)
		}
		if r.StatusCode < 200 {
			continue
		}
		if final != nil && (r.StatusCode != final.StatusCode || r.Reason != final.Reason) {
			t.Fatalf("two final responses, %d and %d, for %q", final.StatusCode, r.StatusCode, data)
		}
		final = r
	}
	deadline := time.Now().Add(2 * time.Second)
	for f.e.ActiveCalls() != 0 || f.e.ports.InUse() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("left behind: %d calls, %d ports (1 held by the harness) after %q",
				f.e.ActiveCalls(), f.e.ports.InUse(), data)
		}
		time.Sleep(time.Millisecond)
	}
}

// sipRequest builds a request with our usual headers; edit changes the
// header block before it is joined.
func sipRequest(method, uri, body string, extra ...string) string {
	headers := []string{
		method + " " + uri + " SIP/2.0",
		"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKfz" + method,
		"From: <sip:13800000001@192.0.2.10>;tag=f1",
		"To: <" + uri + ">",
		"Call-ID: fuzz-" + method + "@192.0.2.10",
		"CSeq: 1 " + method,
		"Max-Forwards: 70",
		"Contact: <sip:13800000001@192.0.2.10:5060>",
	}
	headers = append(headers, extra...)
	if body != "" {
		headers = append(headers, "Content-Type: application/sdp")
	}
	headers = append(headers, fmt.Sprintf("Content-Length: %d", len(body)))
	return strings.Join(headers, "\r\n") + "\r\n\r\n" + body
}

const fuzzSDP = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" +
	"m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"

// sipSeeds are malformed and odd requests of the kinds RFC 4475 catalogues,
// written for this server (hotline number 95598).
func sipSeeds() []string {
	hot := "sip:95598@127.0.0.1"
	invite := sipRequest("INVITE", hot, fuzzSDP)
	without := func(msg, header string) string {
		lines := strings.Split(msg, "\r\n")
		out := lines[:0]
		for _, l := range lines {
			if !strings.HasPrefix(l, header+":") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\r\n")
	}
	return []string{
		invite,
		sipRequest("OPTIONS", hot, ""),
		sipRequest("REGISTER", "sip:127.0.0.1", "", `Authorization: Digest username="1001", realm="hotline", nonce="00", uri="sip:127.0.0.1", response="00"`),
		sipRequest("INFO", hot, "", "Content-Type: application/dtmf-relay"),
		sipRequest("BYE", hot, ""),
		sipRequest("CANCEL", hot, ""),
		sipRequest("REFER", hot, "", "Refer-To: <sip:1002@127.0.0.1>"),
		sipRequest("NOTIFY", hot, "", "Event: refer"),
		sipRequest("ACK", hot, ""),
		// Content-Length too long, too short, negative, not a number.
		strings.Replace(invite, fmt.Sprintf("Content-Length: %d", len(fuzzSDP)), "Content-Length: 9999", 1),
		strings.Replace(invite, fmt.Sprintf("Content-Length: %d", len(fuzzSDP)), "Content-Length: 10", 1),
		strings.Replace(invite, fmt.Sprintf("Content-Length: %d", len(fuzzSDP)), "Content-Length: -5", 1),
		strings.Replace(invite, fmt.Sprintf("Content-Length: %d", len(fuzzSDP)), "Content-Length: many", 1),
		// Missing mandatory headers.
		without(invite, "Via"), without(invite, "From"), without(invite, "To"),
		without(invite, "Call-ID"), without(invite, "CSeq"),
		// Repeated headers that must be unique.
		sipRequest("INVITE", hot, fuzzSDP, "Call-ID: second@192.0.2.10", "CSeq: 2 INVITE", "To: <sip:110@127.0.0.1>"),
		// A 64 KiB header.
		sipRequest("OPTIONS", hot, "", "Subject: "+strings.Repeat("x", 64*1024)),
		// Escaped user parts and odd URIs.
		sipRequest("INVITE", "sip:%39%35%35%39%38@127.0.0.1", fuzzSDP),
		sipRequest("INVITE", "sip:95598;phone-context=%00@127.0.0.1;user=phone", fuzzSDP),
		sipRequest("INVITE", "tel:+8695598", fuzzSDP),
		sipRequest("INVITE", "sip:@", fuzzSDP),
		// Unknown and lower-case methods.
		sipRequest("FROBNICATE", hot, ""),
		sipRequest("invite", hot, fuzzSDP),
		// Bare LF line endings.
		strings.ReplaceAll(invite, "\r\n", "\n"),
		// Truncated datagrams.
		invite[:len(invite)/2], invite[:40], "INVITE sip:95598@127.0.0.1 SIP/2.0\r\n",
		// NUL bytes in the start line, a header and the body.
		strings.Replace(invite, "INVITE sip", "INVITE\x00sip", 1),
		strings.Replace(invite, "Max-Forwards: 70", "Max-Forwards: 7\x000", 1),
		strings.Replace(invite, "v=0", "v=\x00", 1),
		// Two SDP bodies in a multipart body, and an SDP with two audio lines.
		sipRequest("INVITE", hot, "--b\r\nContent-Type: application/sdp\r\n\r\n"+fuzzSDP+"--b\r\nContent-Type: application/sdp\r\n\r\n"+fuzzSDP+"--b--\r\n"),
		sipRequest("INVITE", hot, fuzzSDP+"m=audio 40002 RTP/AVP 8\r\n"),
		// CSeq method that is not the request method.
		strings.Replace(invite, "CSeq: 1 INVITE", "CSeq: 1 BYE", 1),
		// Re-INVITE for a dialog that does not exist.
		strings.Replace(invite, "To: <"+hot+">", "To: <"+hot+">;tag=nope", 1),
		// What carriers send: late offer, session timers, option tags,
		// PRACK and UPDATE outside any early or confirmed dialog.
		sipRequest("INVITE", hot, ""),
		sipRequest("INVITE", hot, fuzzSDP, "Supported: timer, 100rel", "Session-Expires: 1800;refresher=uac", "Min-SE: 90"),
		sipRequest("INVITE", hot, fuzzSDP, "Session-Expires: 30"),
		sipRequest("INVITE", hot, fuzzSDP, "Session-Expires: 99999999999999;refresher=x", "Min-SE: -"),
		sipRequest("INVITE", hot, fuzzSDP, "Require: 100rel, precondition"),
		sipRequest("PRACK", hot, "", "RAck: 1 1 INVITE"),
		sipRequest("PRACK", hot, "", "RAck: x"),
		sipRequest("UPDATE", hot, "", "Session-Expires: 90"),
		// Responses are not requests.
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKx\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		"",
	}
}

func FuzzSIPMessage(f *testing.F) {
	for _, s := range sipSeeds() {
		f.Add([]byte(s))
	}
	fe := newFuzzEndpoint(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, ok := fe.handle(data)
		if !ok {
			return
		}
		fe.checkInvariants(t, data, res)
	})
}

// TestSIPSeedsGetAnswers runs the seeds once as a plain test, checking
// that the ones that reach a handler get the answers a caller needs.
func TestSIPSeedsGetAnswers(t *testing.T) {
	fe := newFuzzEndpoint(t)
	finals := map[int]int{}
	for _, s := range sipSeeds() {
		res, ok := fe.handle([]byte(s))
		if !ok {
			continue
		}
		fe.checkInvariants(t, []byte(s), res)
		for _, r := range res {
			if r.StatusCode >= 500 && r.StatusCode != 501 && r.StatusCode != 503 {
				t.Errorf("%d for %.60q", r.StatusCode, s)
			}
			if r.StatusCode >= 200 {
				finals[r.StatusCode]++
			}
		}
	}
	// The well-formed INVITE reaches the RTP port request (503, the pool
	// is held), OPTIONS gets 200, BYE outside a dialog 481, the unknown
	// method 501, and the REGISTER a 401 challenge.
	for _, code := range []int{503, 200, 481, 501, 401} {
		if finals[code] == 0 {
			t.Errorf("no %d among the answers %v", code, finals)
		}
	}
}
