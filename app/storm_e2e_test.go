package app

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone"
)

// TestMalformedStorm sends a few hundred malformed and mutated SIP messages
// over UDP and TCP while a call is up, then checks the server still works
// and gave back everything the storm and the call used.
func TestMalformedStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("storm test skipped in -short mode")
	}
	h := start(t, "testdata/storm.yaml", nil)
	target := h.srv.SIPAddr()
	baseGoroutines, baseFiles := runtime.NumGoroutine(), openFiles(t)

	livePhone := h.phone("udp")
	live := h.dial(livePhone, "95598")
	if err := live.WaitAudio(ctxT(t, 5*time.Second), 10); err != nil {
		t.Fatalf("live call: no audio: %v", err)
	}
	packetsBefore := live.Received().Packets

	udp := newStormUDP(t, target.String())
	msgs := stormMessages(target.String(), 300)
	for i, m := range msgs {
		udp.send(m)
		if i%25 == 24 {
			time.Sleep(5 * time.Millisecond) // a burst, not a socket-buffer overflow
		}
	}
	tcp := stormTCP(t, target.String(), msgs[:100])

	// The call kept its audio during the storm, and keeps it after.
	h.checkLiveCallAfterStorm(t, live, packetsBefore)
	tcp.closeAll()
	h.endLiveCall(t, livePhone, live)
	udp.stop(t, h)

	checkStormAnswers(t, udp, tcp, len(msgs))

	h.waitStormReleased(t, baseGoroutines, baseFiles)
}

// checkLiveCallAfterStorm checks that the live call received audio during
// the storm and still does, from one source, and that the server still
// answers OPTIONS over UDP and TCP.
func (h *harness) checkLiveCallAfterStorm(t *testing.T, live *testphone.Call, packetsBefore int) {
	t.Helper()
	packetsDuring := live.Received().Packets
	if packetsDuring <= packetsBefore {
		t.Errorf("live call received no audio during the storm (%d packets before, %d after)", packetsBefore, packetsDuring)
	}
	if err := live.WaitAudio(ctxT(t, 5*time.Second), 25); err != nil {
		t.Errorf("live call: no audio after the storm: %v", err)
	}
	if st := live.Received(); st.SSRCs != 1 {
		t.Errorf("live call: %d SSRCs, want 1", st.SSRCs)
	}
	for _, transport := range []string{"udp", "tcp"} {
		p := h.phone(transport)
		code, err := p.Options(ctxT(t, 5*time.Second))
		if err != nil || code != 200 {
			t.Errorf("OPTIONS over %s after the storm: %d, %v", transport, code, err)
		}
		_ = p.Close() // its sockets are the test's, not the server's
	}
}

// endLiveCall waits for an RTCP report to the live call, hangs it up and
// waits for its quality figures.
func (h *harness) endLiveCall(t *testing.T, livePhone *testphone.Phone, live *testphone.Call) {
	t.Helper()
	// The live call's RTCP goes out every 2.5–7.5 s (RFC 3550 §6.3.1).
	waitFor(t, "an RTCP report to the live call", 10*time.Second, func() bool {
		return h.metric("hotline_rtcp_packets_total", "direction", "out") > 0
	})
	if err := live.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("live call hangup: %v", err)
	}
	h.events.waitEnd(t, live.CallID())
	_ = livePhone.Close()
	waitFor(t, "the live call's quality to be observed", 5*time.Second, func() bool {
		return h.metric("hotline_rtp_jitter_seconds", "direction", "received") >= 1 &&
			h.metric("hotline_rtp_loss_ratio", "direction", "received") >= 1
	})
}

// checkStormAnswers checks the statuses the server answered the storm's
// messages with over UDP and TCP.
func checkStormAnswers(t *testing.T, udp *stormUDP, tcp *stormTCPConns, udpSent int) {
	t.Helper()
	// Every answer a parsed request got was a proper one: 4xx for what is
	// wrong with the request, 501 for methods we do not know, 503 when a
	// limit refused it; never 500 or any other server failure.
	codes := udp.codes()
	for code, n := range tcp.codes() {
		codes[code] += n
	}
	t.Logf("storm: %d UDP and %d TCP messages; answers by status: %v", udpSent, len(tcp.sent), codes)
	for code, n := range codes {
		if code >= 500 && code != 501 && code != 503 || code < 100 || code > 699 {
			t.Errorf("%d answers with status %d", n, code)
		}
	}
	if codes[400] == 0 {
		t.Errorf("no 400 Bad Request among %v", codes)
	}
}

// waitStormReleased waits until no call or port is held and goroutines
// and open files are back near what they were before the storm.
func (h *harness) waitStormReleased(t *testing.T, baseGoroutines, baseFiles int) {
	t.Helper()
	waitFor(t, "calls and ports to be released", 45*time.Second, func() bool {
		return h.srv.ActiveCalls() == 0 && h.srv.PortsInUse() == 0
	})
	// A refused INVITE keeps its handler waiting for the ACK of the final
	// answer, which the storm never sends, until Timer H (32 s) ends the
	// transaction; after that nothing of the storm may be left.
	waitFor(t, fmt.Sprintf("goroutines back to %d", baseGoroutines+5), 45*time.Second, func() bool {
		return runtime.NumGoroutine() <= baseGoroutines+5
	})
	waitFor(t, fmt.Sprintf("open files back to %d", baseFiles+3), 10*time.Second, func() bool {
		return openFiles(t) <= baseFiles+3
	})
}

// openFiles counts this process's open file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count open files: %v", err)
	}
	return len(entries)
}

// stormUDP sends from one socket and reads every answer. A mutated INVITE
// that is still valid gets answered: it is acknowledged and hung up, like
// a real caller, so no call waits for an ACK that never comes.
type stormUDP struct {
	t      *testing.T
	conn   *net.UDPConn
	target *net.UDPAddr
	local  string

	mu      sync.Mutex
	byCode  map[int]int
	hungUp  map[string]bool
	readEnd chan struct{}
}

func newStormUDP(t *testing.T, target string) *stormUDP {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := net.ResolveUDPAddr("udp", target)
	if err != nil {
		t.Fatal(err)
	}
	s := &stormUDP{t: t, conn: conn, target: addr, local: conn.LocalAddr().String(),
		byCode: map[int]int{}, hungUp: map[string]bool{}, readEnd: make(chan struct{})}
	go s.read()
	return s
}

func (s *stormUDP) send(msg string) {
	msg = strings.ReplaceAll(msg, "{local}", s.local)
	if _, err := s.conn.WriteToUDP([]byte(msg), s.target); err != nil {
		s.t.Errorf("storm send: %v", err)
	}
}

func (s *stormUDP) read() {
	defer close(s.readEnd)
	buf := make([]byte, 65536)
	for {
		n, _, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		msg, err := sipmsg.ParseMessage(append([]byte(nil), buf[:n]...))
		if err != nil {
			continue // the server sends only well-formed messages; nothing to count
		}
		switch m := msg.(type) {
		case *sipmsg.Response:
			s.mu.Lock()
			s.byCode[m.StatusCode]++
			s.mu.Unlock()
			if cseq := m.CSeq(); cseq != nil && cseq.MethodName == sipmsg.INVITE && m.IsSuccess() {
				s.ackAndHangUp(m)
			}
		case *sipmsg.Request:
			// A BYE from the server for a call it gave up on: confirm it.
			s.send(okFor(m))
		}
	}
}

// ackAndHangUp acknowledges a 2xx (again, if it was retransmitted) and
// sends BYE once per call.
func (s *stormUDP) ackAndHangUp(res *sipmsg.Response) {
	from, to, callID, cseq := res.From(), res.To(), res.CallID(), res.CSeq()
	if from == nil || to == nil || callID == nil {
		return
	}
	uri := "sip:95598@" + s.target.String()
	if c := res.Contact(); c != nil {
		uri = c.Address.String()
	}
	in := func(method string, seq uint32) string {
		return fmt.Sprintf("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\nFrom: %s\r\nTo: %s\r\n"+
			"Call-ID: %s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			method, uri, s.local, randomToken(), from.Value(), to.Value(), callID.Value(), seq, method)
	}
	s.send(in("ACK", cseq.SeqNo))
	s.mu.Lock()
	first := !s.hungUp[callID.Value()]
	s.hungUp[callID.Value()] = true
	s.mu.Unlock()
	if first {
		s.send(in("BYE", cseq.SeqNo+1))
	}
}

func okFor(req *sipmsg.Request) string {
	res := sipmsg.NewResponseFromRequest(req, 200, "OK", nil)
	return res.String()
}

func (s *stormUDP) codes() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]int, len(s.byCode))
	for k, v := range s.byCode {
		out[k] = v
	}
	return out
}

// stop waits until every answered storm call has ended, so the BYE
// exchanges finish, then closes the socket.
func (s *stormUDP) stop(t *testing.T, h *harness) {
	waitFor(t, "answered storm calls to end", 45*time.Second, func() bool { return h.srv.ActiveCalls() == 0 })
	_ = s.conn.Close()
	<-s.readEnd
}

// stormTCPConns holds the TCP side of the storm: connections left open
// mid-message (closed at the end of the test) and what came back.
type stormTCPConns struct {
	mu     sync.Mutex
	open   []net.Conn
	byCode map[int]int
	sent   []string
	wg     sync.WaitGroup
}

// stormTCP sends msgs over TCP: five to a connection, every fourth
// connection cut off in the middle of a message, every seventh left
// waiting for a body its Content-Length promised and never got.
func stormTCP(t *testing.T, target string, msgs []string) *stormTCPConns {
	s := &stormTCPConns{byCode: map[int]int{}}
	for i := 0; i < len(msgs); i += 5 {
		conn, err := net.Dial("tcp", target)
		if err != nil {
			t.Fatalf("storm tcp: %v", err)
		}
		batch := msgs[i:min(i+5, len(msgs))]
		local := conn.LocalAddr().String()
		s.wg.Add(1)
		go s.readAnswers(conn)
		c := i / 5 // connection number
		keep := true
		for j, m := range batch {
			m = strings.ReplaceAll(strings.ReplaceAll(m, "{local}", local), "SIP/2.0/UDP", "SIP/2.0/TCP")
			// Over TCP nothing acknowledges an answer: no call may be answered.
			m = strings.ReplaceAll(m, "sip:95598@", "sip:95597@")
			last := j == len(batch)-1
			switch {
			case last && c%4 == 3:
				_, _ = conn.Write([]byte(m[:len(m)/2])) // cut off mid-message, then closed
				_ = conn.Close()
				keep = false
			case last && c%7 == 6:
				// A body that never comes: the connection waits for it.
				_, _ = conn.Write([]byte(strings.Replace(m, "Content-Length:", "Content-Length: 60000\r\nX-Was-Length:", 1)))
			default:
				_, _ = conn.Write([]byte(m))
			}
			s.sent = append(s.sent, m)
		}
		if keep {
			s.mu.Lock()
			s.open = append(s.open, conn)
			s.mu.Unlock()
		}
	}
	return s
}

func (s *stormTCPConns) readAnswers(conn net.Conn) {
	defer s.wg.Done()
	buf := make([]byte, 65536)
	var pending []byte
	for {
		n, err := conn.Read(buf)
		pending = append(pending, buf[:n]...)
		for {
			i := strings.Index(string(pending), "SIP/2.0 ")
			if i < 0 || len(pending) < i+11 {
				break
			}
			var code int
			if _, scanErr := fmt.Sscanf(string(pending[i+8:i+11]), "%d", &code); scanErr == nil {
				s.mu.Lock()
				s.byCode[code]++
				s.mu.Unlock()
			}
			pending = pending[i+11:]
		}
		if err != nil {
			return
		}
	}
}

func (s *stormTCPConns) closeAll() {
	s.mu.Lock()
	for _, c := range s.open {
		_ = c.Close()
	}
	s.open = nil
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *stormTCPConns) codes() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byCode
}

func randomToken() string { return fmt.Sprintf("%016x", rand.Uint64()) }
