package media

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/hotline-oss/hotline/media/dtmf"
	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// recordingConn captures what a stream sends; reads report a closed socket.
type recordingConn struct {
	mu      sync.Mutex
	packets []rtp.Packet
	dests   []netip.AddrPort
}

func (c *recordingConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	var p rtp.Packet
	if err := p.Unmarshal(bytes.Clone(b)); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.packets = append(c.packets, p)
	c.dests = append(c.dests, addr)
	return len(b), nil
}

func (c *recordingConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, net.ErrClosed
}
func (c *recordingConn) LocalAddr() net.Addr {
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
}
func (c *recordingConn) Close() error { return nil }

func (c *recordingConn) take() []rtp.Packet {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.packets
	c.packets, c.dests = nil, nil
	return out
}

var peer = netip.MustParseAddrPort("192.0.2.50:40000")

// newTestStream returns an unstarted stream whose first frame is due at
// pacer time 0; tests drive it with explicit times.
func newTestStream(cfg StreamConfig) (*Stream, *recordingConn) {
	conn := &recordingConn{}
	if !cfg.Remote.IsValid() {
		cfg.Remote = peer
	}
	s := newStream(conn, cfg, nil)
	s.setSchedule(0)
	return s, conn
}

const ms = time.Millisecond

func TestSendDueFollowsItsSchedule(t *testing.T) {
	s, conn := newTestStream(StreamConfig{Codec: rtpcodec.PCMA, SSRC: 1234})
	ts0 := s.tx.timestamp
	var lateness []float64
	observe := func(sec float64) { lateness = append(lateness, sec) }
	s.sendDue(0, observe)
	s.sendDue(19*ms, observe) // nothing due yet
	s.sendDue(21*ms, observe)
	s.sendDue(40*ms, observe)
	pkts := conn.take()
	if len(pkts) != 3 {
		t.Fatalf("sent %d packets, want 3", len(pkts))
	}
	for i, p := range pkts {
		if p.Version != 2 || p.PayloadType != 8 || p.SSRC != 1234 || len(p.Payload) != rtpcodec.FrameSamples {
			t.Fatalf("packet %d header %+v, %d bytes", i, p.Header, len(p.Payload))
		}
		if p.Marker != (i == 0) {
			t.Errorf("packet %d marker %v", i, p.Marker)
		}
		if p.Timestamp != ts0+uint32(i*rtpcodec.FrameSamples) {
			t.Errorf("packet %d timestamp %d, want %d", i, p.Timestamp, ts0+uint32(i*rtpcodec.FrameSamples))
		}
		if p.SequenceNumber != pkts[0].SequenceNumber+uint16(i) {
			t.Errorf("packet %d sequence not contiguous", i)
		}
		if !bytes.Equal(p.Payload, alawSilenceFrame) {
			t.Errorf("packet %d is not A-law silence", i)
		}
	}
	if !slices.Equal(lateness, []float64{0, 0.001, 0}) {
		t.Errorf("lateness %v", lateness)
	}
	if st := s.Stats(); st.PacketsSent != 3 || st.BytesSent != 3*(12+160) {
		t.Errorf("stats %+v", st)
	}
}

// A late wake-up sends the owed frames back to back, up to the cap, and
// skips the rest while keeping RTP time true to the clock.
func TestSendDueCatchUpAndResync(t *testing.T) {
	s, conn := newTestStream(StreamConfig{})
	ts0 := s.tx.timestamp
	var lateness []float64
	observe := func(sec float64) { lateness = append(lateness, sec) }
	s.sendDue(0, observe)
	conn.take()
	s.sendDue(65*ms, observe) // frames due at 20, 40, 60
	if got := len(conn.take()); got != 3 {
		t.Fatalf("caught up %d frames, want 3", got)
	}
	want := []float64{0, 0.045, 0.025, 0.005}
	for i := range want {
		if d := lateness[i] - want[i]; d > 1e-9 || d < -1e-9 {
			t.Fatalf("lateness %v, want %v", lateness, want)
		}
	}
	s.sendDue(205*ms, observe) // 80..200 owed: 7 frames, cap 3
	pkts := conn.take()
	if len(pkts) != 3 || s.Stats().FramesSkipped != 4 {
		t.Fatalf("sent %d, skipped %d", len(pkts), s.Stats().FramesSkipped)
	}
	s.sendDue(220*ms, observe)
	pkts = conn.take()
	if len(pkts) != 1 {
		t.Fatalf("after resync sent %d", len(pkts))
	}
	if want := ts0 + 11*rtpcodec.FrameSamples; pkts[0].Timestamp != want {
		t.Fatalf("timestamp after skip %d, want %d (RTP time follows the clock)", pkts[0].Timestamp, want)
	}
}

func TestPlaybackSequenceAndDone(t *testing.T) {
	s, conn := newTestStream(StreamConfig{Codec: rtpcodec.PCMU})
	a := playout.NewPrompt("a", mediatest.Tone(1000, 8000, 40*time.Millisecond))
	b := playout.NewPrompt("b", mediatest.Tone(500, 8000, 20*time.Millisecond))
	s.Play(a, playout.Silence(0), b)
	if !s.Playing() {
		t.Fatal("not playing after Play")
	}
	for i := range 5 {
		s.sendDue(time.Duration(i)*rtpcodec.FrameDuration, nil)
	}
	pkts := conn.take()
	want := [][]byte{a.Frame(rtpcodec.PCMU, 0), a.Frame(rtpcodec.PCMU, 1), b.Frame(rtpcodec.PCMU, 0), ulawSilenceFrame, ulawSilenceFrame}
	for i := range want {
		if !bytes.Equal(pkts[i].Payload, want[i]) {
			t.Fatalf("frame %d has the wrong payload", i)
		}
	}
	select {
	case <-s.PlaybackDone():
	default:
		t.Fatal("PlaybackDone not signalled")
	}
	select {
	case <-s.PlaybackDone():
		t.Fatal("PlaybackDone signalled twice")
	default:
	}
	if s.Playing() {
		t.Fatal("still playing")
	}
}

func TestPlaybackReplacedOrStoppedDoesNotSignal(t *testing.T) {
	s, conn := newTestStream(StreamConfig{Codec: rtpcodec.PCMA})
	long := playout.NewPrompt("long", mediatest.Tone(1000, 8000, time.Second))
	short := playout.NewPrompt("short", mediatest.Tone(700, 8000, 20*time.Millisecond))
	s.Play(long)
	s.sendDue(0, nil)
	s.Play(short) // replaces long: no signal for it
	s.sendDue(20*ms, nil)
	s.sendDue(40*ms, nil) // short ran out
	pkts := conn.take()
	if !bytes.Equal(pkts[1].Payload, short.Frame(rtpcodec.PCMA, 0)) {
		t.Fatal("replacement did not start at once")
	}
	select {
	case <-s.PlaybackDone():
	default:
		t.Fatal("no signal for the replacing sequence")
	}
	s.Play(long)
	s.sendDue(60*ms, nil)
	s.StopPlayback()
	s.sendDue(80*ms, nil)
	select {
	case <-s.PlaybackDone():
		t.Fatal("StopPlayback signalled")
	default:
	}
	if got := conn.take(); !bytes.Equal(got[1].Payload, alawSilenceFrame) {
		t.Fatal("no silence after StopPlayback")
	}
}

func TestPlayDiscardsStaleSignal(t *testing.T) {
	s, _ := newTestStream(StreamConfig{})
	s.Play(playout.NewPrompt("x", nil))
	s.sendDue(0, nil) // empty sequence finishes at once
	s.Play(playout.NewPrompt("y", mediatest.Tone(1000, 8000, 20*time.Millisecond)))
	select {
	case <-s.PlaybackDone():
		t.Fatal("stale signal of the previous sequence seen")
	default:
	}
}

func TestSendingOffKeepsTimeRunning(t *testing.T) {
	s, conn := newTestStream(StreamConfig{})
	ts0 := s.tx.timestamp
	s.Play(playout.NewPrompt("p", mediatest.Tone(1000, 8000, 40*time.Millisecond)))
	s.SetSending(false)
	for i := range 3 {
		s.sendDue(time.Duration(i)*rtpcodec.FrameDuration, nil)
	}
	if len(conn.take()) != 0 {
		t.Fatal("sent while sending was off")
	}
	select {
	case <-s.PlaybackDone(): // playback ran on the clock
	default:
		t.Fatal("playback did not advance while on hold")
	}
	s.SetSending(true)
	s.sendDue(60*ms, nil)
	pkts := conn.take()
	if len(pkts) != 1 || pkts[0].Timestamp != ts0+3*rtpcodec.FrameSamples || !pkts[0].Marker {
		t.Fatalf("after hold: %+v", pkts)
	}
}

func TestNoDestinationSendsNothing(t *testing.T) {
	s := newStream(&recordingConn{}, StreamConfig{}, nil)
	s.setSchedule(0)
	s.sendDue(0, nil)
	if s.Stats().PacketsSent != 0 {
		t.Fatal("sent without a destination")
	}
}

func TestSetCodecSwitchesLawAndPayloadType(t *testing.T) {
	s, conn := newTestStream(StreamConfig{Codec: rtpcodec.PCMU, PayloadType: 0})
	p := playout.NewPrompt("p", mediatest.Tone(1000, 8000, 60*time.Millisecond))
	s.Play(p)
	s.sendDue(0, nil)
	s.SetCodec(rtpcodec.PCMA, 0)
	s.sendDue(20*ms, nil)
	pkts := conn.take()
	if pkts[0].PayloadType != 0 || !bytes.Equal(pkts[0].Payload, p.Frame(rtpcodec.PCMU, 0)) {
		t.Fatal("first frame not PCMU")
	}
	if pkts[1].PayloadType != 8 || !bytes.Equal(pkts[1].Payload, p.Frame(rtpcodec.PCMA, 1)) {
		t.Fatal("second frame not PCMA")
	}
}

func TestSendDigitPackets(t *testing.T) {
	s, conn := newTestStream(StreamConfig{DTMFPayloadType: 101})
	if err := s.SendDigit('#', 60*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := s.SendDigit('1', 0); err != nil {
		t.Fatal(err)
	}
	for i := range 16 {
		s.sendDue(time.Duration(i)*rtpcodec.FrameDuration, nil)
	}
	pkts := conn.take()
	type want struct {
		pt       uint8
		event    uint8
		end      bool
		duration uint16
		marker   bool
	}
	var expect []want
	for _, d := range []uint16{160, 320, 480} {
		expect = append(expect, want{101, 11, false, d, d == 160})
	}
	for range 3 {
		expect = append(expect, want{101, 11, true, 480, false})
	}
	expect = append(expect, want{pt: 0}, want{pt: 0}) // inter-digit gap
	expect = append(expect, want{101, 1, false, 160, true})
	for range 3 {
		expect = append(expect, want{101, 1, true, 160, false})
	}
	for i, w := range expect {
		p := pkts[i]
		if p.PayloadType != w.pt {
			t.Fatalf("packet %d PT %d, want %d", i, p.PayloadType, w.pt)
		}
		if w.pt == 0 {
			continue
		}
		ev, err := dtmf.Parse(p.Payload)
		if err != nil || ev.Event != w.event || ev.End != w.end || ev.Duration != w.duration || p.Marker != w.marker {
			t.Fatalf("packet %d: %+v marker %v, want %+v", i, ev, p.Marker, w)
		}
	}
	// All packets of one event share its start timestamp; audio keeps time.
	for i := 1; i < 6; i++ {
		if pkts[i].Timestamp != pkts[0].Timestamp {
			t.Fatalf("event packet %d timestamp changed", i)
		}
	}
	if pkts[6].Timestamp != pkts[0].Timestamp+6*rtpcodec.FrameSamples {
		t.Fatal("audio after the event does not continue the RTP clock")
	}
}

func TestSendDigitErrors(t *testing.T) {
	s, _ := newTestStream(StreamConfig{})
	if err := s.SendDigit('5', 0); !errors.Is(err, ErrNoDTMF) {
		t.Fatalf("no PT: err = %v", err)
	}
	s.SetDTMFPayloadType(96)
	if err := s.SendDigit('x', 0); !errors.Is(err, dtmf.ErrInvalid) {
		t.Fatalf("bad key: err = %v", err)
	}
	for range dtmf.QueueSize {
		if err := s.SendDigit('1', 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SendDigit('1', 0); !errors.Is(err, ErrDTMFQueueFull) {
		t.Fatalf("full queue: err = %v", err)
	}
	s.Close()
	if err := s.SendDigit('1', 0); !errors.Is(err, ErrStreamClosed) {
		t.Fatalf("closed stream: err = %v", err)
	}
}

func TestInactivity(t *testing.T) {
	s, _ := newTestStream(StreamConfig{InactivityTimeout: 100 * ms})
	fired := func() bool {
		select {
		case <-s.Inactive():
			return true
		default:
			return false
		}
	}
	s.checkInactivity(99 * ms)
	if fired() {
		t.Fatal("fired early")
	}
	s.handlePacket(rtpPacket(0, 1, 160, 1, silenceFrame(rtpcodec.UlawSilence)), peer, 90*ms)
	s.checkInactivity(189 * ms)
	if fired() {
		t.Fatal("a packet did not reset the timeout")
	}
	s.SetExpectMedia(false) // remote on hold: silence is expected
	s.checkInactivity(time.Hour)
	if fired() {
		t.Fatal("fired while media was not expected")
	}
	s.SetExpectMedia(true)
	s.lastReceived.Store(int64(time.Hour)) // what SetExpectMedia does on a started stream
	s.checkInactivity(time.Hour + 99*ms)
	if fired() {
		t.Fatal("fired right after media was expected again")
	}
	s.checkInactivity(time.Hour + 100*ms)
	if !fired() {
		t.Fatal("did not fire")
	}
	s.checkInactivity(time.Hour + time.Second) // no double close
}

func TestInactivityDisabled(t *testing.T) {
	s, _ := newTestStream(StreamConfig{})
	s.checkInactivity(24 * time.Hour)
	select {
	case <-s.Inactive():
		t.Fatal("fired with timeout 0")
	default:
	}
}
