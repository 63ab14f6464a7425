package sip

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/portpool"
	"github.com/hotline-oss/hotline/metrics"
)

// eventLog keeps the events an endpoint publishes.
type eventLog struct {
	mu     sync.Mutex
	events []call.Event
}

func (l *eventLog) HandleEvent(e call.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) ended() (call.Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.events {
		if e.Kind == call.CallEnded {
			return e, true
		}
	}
	return call.Event{}, false
}

// activeCalls sums hotline_active_calls over its stages.
func activeCalls(t *testing.T, m *metrics.Metrics) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range families {
		if f.GetName() == "hotline_active_calls" {
			for _, s := range f.GetMetric() {
				sum += s.GetGauge().GetValue()
			}
		}
	}
	return sum
}

// TestUnacknowledgedAnswerReleasesTheChannel: a caller that never ACKs our
// 200 OK holds its channel for 64*T1, counted alike by the endpoint (what
// the drain waits for) and hotline_active_calls; then it is hung up with a
// BYE whose transaction ends too.
func TestUnacknowledgedAnswerReleasesTheChannel(t *testing.T) {
	const t1 = 20 * time.Millisecond
	bus := &call.Bus{}
	m := metrics.New()
	events := &eventLog{}
	bus.Subscribe(m)
	bus.Subscribe(events)
	ports, err := portpool.New(netip.MustParseAddr("127.0.0.1"), 42400, 42420)
	if err != nil {
		t.Fatal(err)
	}
	pacer := media.NewPacer()
	pacer.Start()
	defer pacer.Stop()
	e, err := New(Config{
		Listen: netip.MustParseAddrPort("127.0.0.1:0"), Transports: []string{"udp"}, MaxCalls: 10,
		RTPAdvertise: netip.MustParseAddr("127.0.0.1"), IsHotline: func(n string) bool { return n == "95598" },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), T1: t1,
	}, ports, pacer, bus, func(ctx context.Context, c *Call) { <-ctx.Done() })
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	p := newRawPhone(t, e.Addr())
	sdp := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"
	invite := strings.Replace(p.request("INVITE", "sip:95598@127.0.0.1", "Content-Type: application/sdp\r\n"),
		"Content-Length: 0\r\n\r\n", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(sdp), sdp), 1)
	if got := statusLine(p.send(invite, 2*time.Second)); got != "SIP/2.0 200 OK" {
		t.Fatalf("INVITE: %q", got)
	}
	answeredAt := time.Now()
	// No ACK. While the 200 waits for one, both counts hold the call.
	if e.ActiveCalls() != 1 || activeCalls(t, m) != 1 {
		t.Fatalf("while the ACK is awaited: endpoint %d, hotline_active_calls %v, want 1 and 1", e.ActiveCalls(), activeCalls(t, m))
	}
	for e.ActiveCalls() > 0 && time.Since(answeredAt) < 64*t1+2*time.Second {
		time.Sleep(5 * time.Millisecond)
	}
	held := time.Since(answeredAt)
	if e.ActiveCalls() != 0 || held < 64*t1-10*time.Millisecond {
		t.Fatalf("channel held %v (still %d calls), want released after 64*T1 = %v", held, e.ActiveCalls(), 64*t1)
	}
	// The event that frees the channel may still be on its way.
	deadline := time.Now().Add(time.Second)
	ev, ok := events.ended()
	for ; !ok && time.Now().Before(deadline); ev, ok = events.ended() {
		time.Sleep(5 * time.Millisecond)
	}
	if !ok || ev.Result != call.ResultFailed || ev.Reason != "no_ack" || ev.HangupBy != call.HangupByServer {
		t.Fatalf("call ended %+v, want failed/no_ack by server", ev)
	}
	if n := activeCalls(t, m); n != 0 || ports.InUse() != 0 {
		t.Errorf("after release: hotline_active_calls %v, ports %d, want 0 and 0", n, ports.InUse())
	}

	// The caller is sent a BYE; unanswered, it is retransmitted for at most
	// 64*T1 (Timer F) and then given up.
	byes, lastBye := p.collect("BYE", 64*t1+time.Second)
	if byes == 0 {
		t.Fatal("no BYE after the missing ACK")
	}
	if later, _ := p.collect("BYE", time.Second); later != 0 {
		t.Errorf("BYE still retransmitted %d times after %v (last at %v)", later, 64*t1, lastBye.Sub(answeredAt))
	}
}

// collect counts the requests of method that reach the phone within d.
func (p *rawPhone) collect(method string, d time.Duration) (n int, last time.Time) {
	buf := make([]byte, 8192)
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		_ = p.conn.SetReadDeadline(end)
		k, _, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				break
			}
			p.t.Fatal(err)
		}
		if strings.HasPrefix(string(buf[:k]), method+" ") {
			n, last = n+1, time.Now()
		}
	}
	return n, last
}
