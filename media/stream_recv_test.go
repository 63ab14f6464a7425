package media

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

func rtpPacket(pt uint8, seq uint16, ts, ssrc uint32, payload []byte) []byte {
	p := rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc},
		Payload: payload,
	}
	raw, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	return raw
}

func TestHandlePacketDropsInvalid(t *testing.T) {
	good := rtpPacket(0, 1, 160, 7, mediatest.ToneFrame(rtpcodec.PCMU))
	version1 := bytes.Clone(good)
	version1[0] = 1 << 6
	csrcOverflow := bytes.Clone(good[:16])
	csrcOverflow[0] |= 0x0F // claims 15 CSRCs
	extOverflow := bytes.Clone(good[:20])
	extOverflow[0] |= 0x10
	binary.BigEndian.PutUint16(extOverflow[14:], 100) // extension of 400 bytes
	badPadding := bytes.Clone(good)
	badPadding[0] |= 0x20
	badPadding[len(badPadding)-1] = 0xFF // more padding than payload
	zeroPadding := bytes.Clone(good)
	zeroPadding[0] |= 0x20
	zeroPadding[len(zeroPadding)-1] = 0

	for name, pkt := range map[string][]byte{
		"empty": nil, "short": good[:11], "version 1": version1,
		"csrc overflow": csrcOverflow, "extension overflow": extOverflow,
		"padding overflow": badPadding, "zero padding": zeroPadding,
	} {
		s, _ := newTestStream(StreamConfig{})
		s.handlePacket(pkt, peer, 0)
		if st := s.Stats(); st.PacketsDropped != 1 || st.PacketsReceived != 0 {
			t.Errorf("%s: stats %+v", name, st)
		}
	}
}

func TestHandlePacketPaddingAndExtension(t *testing.T) {
	s, _ := newTestStream(StreamConfig{})
	var got []byte
	s.SetAudioSink(func(p []byte) { got = bytes.Clone(p) })
	payload := mediatest.ToneFrame(rtpcodec.PCMU)
	p := rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: 1, SSRC: 1, Padding: true, PaddingSize: 4, CSRC: []uint32{9}}, Payload: payload}
	if err := p.Header.SetExtension(1, []byte{0xAA}); err != nil {
		t.Fatal(err)
	}
	raw, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s.handlePacket(raw, peer, 0)
	if !bytes.Equal(got, payload) {
		t.Fatalf("sink got %d bytes, want the %d-byte payload", len(got), len(payload))
	}
}

func TestSymmetricRTPLatching(t *testing.T) {
	configured := netip.MustParseAddrPort("10.0.0.5:4000") // private address from the SDP
	natted := netip.MustParseAddrPort("203.0.113.5:61000")
	other := netip.MustParseAddrPort("198.51.100.99:5000")
	s, conn := newTestStream(StreamConfig{Remote: configured})
	pkt := rtpPacket(0, 1, 0, 1, ulawSilenceFrame)

	s.sendDue(0, nil)
	if conn.dests[0] != configured {
		t.Fatal("did not start with the configured address")
	}
	s.handlePacket(pkt, natted, 10*ms)
	if s.Stats().Remote != natted {
		t.Fatal("did not latch onto the first source")
	}
	s.handlePacket(rtpPacket(0, 2, 160, 1, ulawSilenceFrame), other, 20*ms)
	if st := s.Stats(); st.Remote != natted || st.PacketsDropped != 1 || st.PacketsReceived != 1 {
		t.Fatalf("another source took over an active latch: %+v", st)
	}
	// The latched source keeps itself alive.
	s.handlePacket(rtpPacket(0, 2, 160, 1, ulawSilenceFrame), natted, 1500*ms)
	s.handlePacket(rtpPacket(0, 3, 320, 1, ulawSilenceFrame), other, 3400*ms)
	if s.Stats().Remote != natted {
		t.Fatal("re-latched although the source was silent < 2 s")
	}
	s.handlePacket(rtpPacket(0, 4, 480, 1, ulawSilenceFrame), other, 3500*ms)
	if s.Stats().Remote != other {
		t.Fatal("did not re-latch after 2 s of silence from the old source")
	}
	s.sendDue(20*ms, nil)
	if conn.dests[len(conn.dests)-1] != other {
		t.Fatal("packets not sent to the latched source")
	}

	// A re-INVITE with a new address restarts latching at once.
	s.SetRemote(netip.MustParseAddrPort("192.0.2.77:7000"))
	s.handlePacket(rtpPacket(0, 5, 640, 1, ulawSilenceFrame), natted, 3600*ms)
	if s.Stats().Remote != natted {
		t.Fatal("did not re-latch after SetRemote")
	}
	// Re-setting the same address (session refresh) keeps the latch.
	s.SetRemote(netip.MustParseAddrPort("192.0.2.77:7000"))
	if s.Stats().Remote != natted {
		t.Fatal("unchanged SetRemote dropped the latch")
	}
}

func TestSequenceLossAccounting(t *testing.T) {
	s, _ := newTestStream(StreamConfig{})
	for _, seq := range []uint16{65534, 65535, 0, 3, 2, 3, 4, 10} {
		s.handlePacket(rtpPacket(0, seq, 0, 5, ulawSilenceFrame), peer, 0)
	}
	// 0→3 loses 1 and 2 (2 arrives late, not subtracted), 4→10 loses 5.
	if got := s.Stats().PacketsLost; got != 7 {
		t.Fatalf("lost %d, want 7", got)
	}
	// A new SSRC starts a new sequence space; a huge jump is a restart.
	s.handlePacket(rtpPacket(0, 30000, 0, 6, ulawSilenceFrame), peer, 0)
	s.handlePacket(rtpPacket(0, 40000, 0, 6, ulawSilenceFrame), peer, 0)
	s.handlePacket(rtpPacket(0, 40001, 0, 6, ulawSilenceFrame), peer, 0)
	if got := s.Stats().PacketsLost; got != 7 {
		t.Fatalf("lost %d after SSRC change and restart, want 7", got)
	}
	if got := s.Stats().PacketsReceived; got != 11 {
		t.Fatalf("received %d", got)
	}
}

func TestReceivedDTMFDigits(t *testing.T) {
	s, _ := newTestStream(StreamConfig{DTMFPayloadType: 101})
	seq := uint16(1)
	sendPress := func(event uint8, ts uint32) {
		for _, payload := range mediatest.Press(event, 3) {
			s.handlePacket(rtpPacket(101, seq, ts, 9, payload), peer, 0)
			seq++
		}
	}
	sendPress(5, 8000)
	sendPress(5, 9600)
	sendPress(11, 11200)
	var got []rune
	for len(s.Digits()) > 0 {
		got = append(got, <-s.Digits())
	}
	if string(got) != "55#" {
		t.Fatalf("digits %q, want \"55#\"", string(got))
	}
	// DTMF on a stream without telephone-event is ignored.
	plain, _ := newTestStream(StreamConfig{})
	plain.handlePacket(rtpPacket(101, 1, 0, 1, []byte{5, 0, 0, 160}), peer, 0)
	if len(plain.Digits()) != 0 {
		t.Fatal("digit without negotiated telephone-event")
	}
}

func TestDigitsOverflowIsCounted(t *testing.T) {
	s, _ := newTestStream(StreamConfig{DTMFPayloadType: 96})
	for i := range digitsBuffer + 3 {
		s.handlePacket(rtpPacket(96, uint16(i), uint32(i*1000), 1, []byte{1, 0, 0, 160}), peer, 0)
	}
	if st := s.Stats(); st.DigitsReceived != digitsBuffer+3 || st.DigitsDropped != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReceivedEnergy(t *testing.T) {
	for _, c := range []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA} {
		s, _ := newTestStream(StreamConfig{Codec: c})
		var sunk int
		s.SetAudioSink(func(p []byte) { sunk += len(p) })
		s.handlePacket(rtpPacket(c.PayloadType(), 1, 0, 1, silenceFrame(c.SilenceByte())), peer, 0)
		if st := s.Stats(); st.ReceivedNonSilentFrames != 0 || st.LastAudioLevel > 8 {
			t.Fatalf("%s silence counted as sound: %+v", c, st)
		}
		s.handlePacket(rtpPacket(c.PayloadType(), 2, 160, 1, mediatest.ToneFrame(c)), peer, 0)
		if st := s.Stats(); st.ReceivedNonSilentFrames != 1 || st.LastAudioLevel < 4000 {
			t.Fatalf("%s tone not counted: %+v", c, st)
		}
		// Another payload type is counted as received but is not audio.
		s.handlePacket(rtpPacket(13, 3, 320, 1, mediatest.ToneFrame(c)), peer, 0)
		if st := s.Stats(); st.ReceivedNonSilentFrames != 1 || st.PacketsReceived != 3 {
			t.Fatalf("%s other PT: %+v", c, st)
		}
		if sunk != 2*rtpcodec.FrameSamples {
			t.Fatalf("%s sink got %d bytes", c, sunk)
		}
		s.SetAudioSink(nil)
		s.handlePacket(rtpPacket(c.PayloadType(), 4, 480, 1, mediatest.ToneFrame(c)), peer, 0)
		if sunk != 2*rtpcodec.FrameSamples {
			t.Fatal("removed sink still called")
		}
	}
}

func TestStatsLastReceived(t *testing.T) {
	s, _ := newTestStream(StreamConfig{})
	if s.Stats().LastReceived != 0 {
		t.Fatal("LastReceived set before any packet")
	}
	s.handlePacket(rtpPacket(0, 1, 0, 1, ulawSilenceFrame), peer, 1234*ms)
	if got := s.Stats().LastReceived; got != 1234*ms {
		t.Fatalf("LastReceived %v", got)
	}
}

// The per-packet paths must not allocate: they run 50 times a second for
// every leg.
func TestSendPathDoesNotAllocate(t *testing.T) {
	s := newStream(&discardConn{}, StreamConfig{Remote: peer, DTMFPayloadType: 101}, nil)
	s.setSchedule(0)
	s.Play(playout.NewPrompt("p", mediatest.Tone(1000, 8000, 10*time.Second)))
	observe := func(float64) {}
	now := time.Duration(0)
	allocs := testing.AllocsPerRun(500, func() {
		s.sendDue(now, observe)
		now += rtpcodec.FrameDuration
	})
	if allocs != 0 {
		t.Fatalf("sendDue allocates %v times per frame", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		_ = s.SendDigit('1', 40*time.Millisecond)
		for range 6 {
			s.sendDue(now, observe)
			now += rtpcodec.FrameDuration
		}
	})
	if allocs != 0 {
		t.Fatalf("DTMF sending allocates %v times", allocs)
	}
}

func TestReceivePathDoesNotAllocate(t *testing.T) {
	s, _ := newTestStream(StreamConfig{DTMFPayloadType: 101})
	s.SetAudioSink(func([]byte) {})
	audio := rtpPacket(0, 1, 0, 1, mediatest.ToneFrame(rtpcodec.PCMU))
	dtmf := rtpPacket(101, 2, 0, 1, []byte{5, 0, 0, 160})
	garbage := []byte{0x80, 0, 0}
	seq, ts := uint16(1), uint32(0)
	allocs := testing.AllocsPerRun(500, func() {
		seq++
		ts += 160
		binary.BigEndian.PutUint16(audio[2:], seq)
		s.handlePacket(audio, peer, 0)
		seq++
		binary.BigEndian.PutUint16(dtmf[2:], seq)
		binary.BigEndian.PutUint32(dtmf[4:], ts)
		s.handlePacket(dtmf, peer, 0)
		s.handlePacket(garbage, peer, 0)
		for len(s.Digits()) > 0 {
			<-s.Digits()
		}
	})
	if allocs != 0 {
		t.Fatalf("handlePacket allocates %v times per packet", allocs)
	}
}

// discardConn accepts writes without looking at them.
type discardConn struct{ recordingConn }

func (*discardConn) WriteToUDPAddrPort(b []byte, _ netip.AddrPort) (int, error) { return len(b), nil }

func FuzzHandlePacket(f *testing.F) {
	f.Add(rtpPacket(0, 1, 160, 7, mediatest.ToneFrame(rtpcodec.PCMU)))
	f.Add(rtpPacket(101, 2, 160, 7, []byte{5, 0x80, 3, 0x20}))
	f.Add([]byte{0xB0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0})
	f.Add([]byte{0xA0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		s, _ := newTestStream(StreamConfig{DTMFPayloadType: 101})
		s.handlePacket(pkt, peer, time.Second)
		s.handlePacket(pkt, netip.MustParseAddrPort("192.0.2.1:9"), 2*time.Second)
		st := s.Stats()
		if st.PacketsReceived+st.PacketsDropped != 2 {
			t.Fatalf("packet neither received nor dropped: %+v", st)
		}
	})
}
