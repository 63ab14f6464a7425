package media

import (
	"net"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// waitFor polls cond until it holds or timeout passes. Polling with a
// deadline, not a fixed sleep, keeps the tests fast and tolerant of slow
// (race-instrumented, loaded) machines.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func listenLoopback(t *testing.T) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func addrOf(conn *net.UDPConn) netip.AddrPort {
	return conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// startedPacer runs a pacer for the test's duration.
func startedPacer(t *testing.T) *Pacer {
	p := NewPacer(WithWorkers(2))
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// pair creates two streams on mediatest.Loopback sending to each other; cfgB.Remote
// and cfgA.Remote are filled in unless set.
func pair(t *testing.T, p *Pacer, cfgA, cfgB StreamConfig) (a, b *Stream) {
	connA, connB := listenLoopback(t), listenLoopback(t)
	if !cfgA.Remote.IsValid() {
		cfgA.Remote = addrOf(connB)
	}
	if !cfgB.Remote.IsValid() {
		cfgB.Remote = addrOf(connA)
	}
	a, b = NewStream(connA, cfgA, nil), NewStream(connB, cfgB, nil)
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	a.Start(p)
	b.Start(p)
	return a, b
}

func TestLoopbackPlayback(t *testing.T) {
	p := startedPacer(t)
	a, b := pair(t, p, StreamConfig{Codec: rtpcodec.PCMU}, StreamConfig{Codec: rtpcodec.PCMU})
	waitFor(t, 2*time.Second, "silence to flow", func() bool { return b.Stats().PacketsReceived >= 5 })
	if st := b.Stats(); st.ReceivedNonSilentFrames != 0 {
		t.Fatalf("silence counted as sound: %+v", st)
	}

	prompt := playout.NewPrompt("tone", mediatest.Tone(1000, 8000, time.Second))
	before := b.Stats()
	start := time.Now()
	a.Play(prompt)
	select {
	case <-a.PlaybackDone():
	case <-time.After(5 * time.Second):
		t.Fatal("PlaybackDone never came")
	}
	elapsed := time.Since(start)
	if elapsed < 950*time.Millisecond || elapsed > 1500*time.Millisecond {
		t.Errorf("a 1 s prompt took %v", elapsed)
	}
	waitFor(t, time.Second, "the last tone frames", func() bool {
		return b.Stats().ReceivedNonSilentFrames >= 50
	})
	after := b.Stats()
	if got := after.ReceivedNonSilentFrames - before.ReceivedNonSilentFrames; got != 50 {
		t.Errorf("received %d tone frames, want 50", got)
	}
	rate := float64(after.PacketsReceived-before.PacketsReceived) / elapsed.Seconds()
	if rate < 40 || rate > 60 {
		t.Errorf("receive rate %.1f packets/s, want about 50", rate)
	}
	if after.PacketsLost != 0 || after.PacketsDropped != 0 {
		t.Errorf("lost %d dropped %d", after.PacketsLost, after.PacketsDropped)
	}
}

// A raw socket checks the packets themselves.
func TestLoopbackWireFormat(t *testing.T) {
	p := startedPacer(t)
	raw := listenLoopback(t)
	defer raw.Close()
	a := NewStream(listenLoopback(t), StreamConfig{Codec: rtpcodec.PCMA, Remote: addrOf(raw), SSRC: 0xCAFE}, nil)
	defer a.Close()
	a.Start(p)

	var prev rtp.Packet
	buf := make([]byte, 1500)
	var first time.Time
	const count = 51
	for i := range count {
		_ = raw.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := raw.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = time.Now()
		}
		var pkt rtp.Packet
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if pkt.PayloadType != 8 || pkt.SSRC != 0xCAFE || len(pkt.Payload) != rtpcodec.FrameSamples || pkt.Marker != (i == 0) {
			t.Fatalf("packet %d: %+v (%d bytes)", i, pkt.Header, len(pkt.Payload))
		}
		if i > 0 && (pkt.SequenceNumber != prev.SequenceNumber+1 || pkt.Timestamp != prev.Timestamp+rtpcodec.FrameSamples) {
			t.Fatalf("packet %d: seq %d ts %d after seq %d ts %d", i, pkt.SequenceNumber, pkt.Timestamp, prev.SequenceNumber, prev.Timestamp)
		}
		prev = pkt
	}
	if span := time.Since(first); span < 900*time.Millisecond || span > 1300*time.Millisecond {
		t.Errorf("50 frame intervals took %v, want about 1 s", span)
	}
}

func TestLoopbackLatching(t *testing.T) {
	p := startedPacer(t)
	dead := listenLoopback(t)
	wrong := addrOf(dead)
	dead.Close()
	// A believes the SDP, which names a port nobody listens on; B sends to A.
	a, b := pair(t, p, StreamConfig{Remote: wrong}, StreamConfig{})
	waitFor(t, 2*time.Second, "A to latch and B to hear A", func() bool {
		return b.Stats().PacketsReceived >= 10
	})
	if got := a.Stats().Remote; got != b.LocalAddr() {
		t.Fatalf("A sends to %v, want B at %v", got, b.LocalAddr())
	}
}

func TestLoopbackDTMF(t *testing.T) {
	p := startedPacer(t)
	a, b := pair(t, p, StreamConfig{DTMFPayloadType: 101}, StreamConfig{DTMFPayloadType: 101})
	for _, d := range "559" {
		if err := a.SendDigit(d, 100*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	var got []rune
	for len(got) < 3 {
		select {
		case d := <-b.Digits():
			got = append(got, d)
		case <-time.After(3 * time.Second):
			t.Fatalf("digits so far %q", string(got))
		}
	}
	if string(got) != "559" {
		t.Fatalf("digits %q, want \"559\"", string(got))
	}
	// Let the redundant end packets and more audio arrive: still 3 digits.
	received := b.Stats().PacketsReceived
	waitFor(t, 2*time.Second, "more packets", func() bool { return b.Stats().PacketsReceived >= received+10 })
	if st := b.Stats(); st.DigitsReceived != 3 || len(b.Digits()) != 0 {
		t.Fatalf("digits received %d, queued %d", st.DigitsReceived, len(b.Digits()))
	}
}

func TestLoopbackInactivity(t *testing.T) {
	p := startedPacer(t)
	a, b := pair(t, p, StreamConfig{InactivityTimeout: 200 * time.Millisecond}, StreamConfig{})
	waitFor(t, 2*time.Second, "300 ms of packets", func() bool { return a.Stats().PacketsReceived >= 15 })
	select {
	case <-a.Inactive():
		t.Fatal("inactive while the peer was sending")
	default:
	}
	b.Close()
	stopped := time.Now()
	select {
	case <-a.Inactive():
		if waited := time.Since(stopped); waited < 150*time.Millisecond {
			t.Fatalf("fired %v after the peer stopped, timeout is 200ms", waited)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("inactivity never fired")
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	baseline := runtime.NumGoroutine()
	p := NewPacer(WithWorkers(2))
	p.Start()
	var closes atomic.Int32
	sink := listenLoopback(t)
	var streams []*Stream
	for range 10 {
		s := NewStream(listenLoopback(t), StreamConfig{Remote: addrOf(sink)}, func() { closes.Add(1) })
		s.Start(p)
		streams = append(streams, s)
	}
	waitFor(t, 2*time.Second, "streams to send", func() bool { return streams[9].Stats().PacketsSent >= 3 })
	for _, s := range streams {
		s.Close()
		s.Close()
		<-s.Done()
	}
	if closes.Load() != 10 || p.Streams() != 0 {
		t.Fatalf("onClose ran %d times, %d streams registered", closes.Load(), p.Streams())
	}
	// A stream closed before it started, and started after it closed.
	unstarted := NewStream(listenLoopback(t), StreamConfig{}, func() { closes.Add(1) })
	unstarted.Close()
	unstarted.Start(p)
	if closes.Load() != 11 || p.Streams() != 0 {
		t.Fatalf("unstarted stream: onClose %d, registered %d", closes.Load(), p.Streams())
	}
	p.Stop()
	sink.Close()
	waitFor(t, 2*time.Second, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= baseline })
}

// The real socket write must not allocate either.
func TestRealSocketSendDoesNotAllocate(t *testing.T) {
	sink := listenLoopback(t)
	defer sink.Close()
	conn := listenLoopback(t)
	s := NewStream(conn, StreamConfig{Remote: addrOf(sink)}, nil)
	defer s.Close()
	s.setSchedule(0)
	now := time.Duration(0)
	allocs := testing.AllocsPerRun(200, func() {
		s.sendDue(now, nil)
		now += rtpcodec.FrameDuration
	})
	if allocs != 0 {
		t.Fatalf("sending on a UDP socket allocates %v times per frame", allocs)
	}
	if s.Stats().PacketsSent < 200 {
		t.Fatalf("sent %d", s.Stats().PacketsSent)
	}
}

// The Pacer's options reach the wheel it runs on.
func TestPacerOptions(t *testing.T) {
	if got := NewPacer(WithWorkers(64)).Workers(); got != 20 {
		t.Errorf("WithWorkers(64) gave %d", got)
	}
	var observed atomic.Int64
	p := NewPacer(WithWorkers(3), WithLatenessObserver(func(float64) { observed.Add(1) }))
	if p.Workers() != 3 {
		t.Errorf("workers %d", p.Workers())
	}
	p.Start()
	t.Cleanup(p.Stop)
	pair(t, p, StreamConfig{}, StreamConfig{})
	waitFor(t, 2*time.Second, "lateness observed", func() bool { return observed.Load() > 0 })
}
