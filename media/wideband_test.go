package media

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestNegotiateG722(t *testing.T) {
	offer := func(formats string, attrs ...string) []byte {
		lines := []string{"v=0", "o=- 1 1 IN IP4 192.0.2.9", "s=-", "c=IN IP4 192.0.2.9", "t=0 0",
			"m=audio 4000 RTP/AVP " + formats}
		return []byte(strings.Join(append(lines, attrs...), "\r\n") + "\r\n")
	}
	cases := []struct {
		name      string
		offer     []byte
		supported []Codec
		want      Codec
		wantPT    uint8
		wantErr   bool
	}{
		{"static 9 without rtpmap", offer("9 0 101", "a=rtpmap:101 telephone-event/8000"), []Codec{G722, PCMU}, G722, 9, false},
		{"offerer's order wins", offer("0 9"), []Codec{G722, PCMU}, PCMU, 0, false},
		{"dynamic G722 by rtpmap", offer("96 0", "a=rtpmap:96 G722/8000"), []Codec{G722, PCMU}, G722, 96, false},
		{"G722 at 16000 is not G.722 as RFC 3551 clocks it", offer("96", "a=rtpmap:96 G722/16000"), []Codec{G722}, 0, 0, true},
		{"not supported by us", offer("9"), []Codec{PCMU, PCMA}, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Negotiate(tc.offer, tc.supported)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("negotiated %s", n.Codec)
				}
				return
			}
			if err != nil || n.Codec != tc.want || n.PayloadType != tc.wantPT {
				t.Fatalf("got %s/%d %v, want %s/%d", n.Codec, n.PayloadType, err, tc.want, tc.wantPT)
			}
		})
	}
	sdp := string(BuildOffer(netip.MustParseAddrPort("192.0.2.1:5000"), []Codec{G722, PCMU, PCMA}, 101, SendRecv, 1, 1))
	if !strings.Contains(sdp, "m=audio 5000 RTP/AVP 9 0 8 101") || !strings.Contains(sdp, "a=rtpmap:9 G722/8000") {
		t.Fatalf("offer:\n%s", sdp)
	}
	if c, ok := ParseCodec("g722"); !ok || c != G722 || c.PayloadType() != 9 || c.Narrowband() != PCMU {
		t.Fatalf("ParseCodec(g722) = %v %v", c, ok)
	}
}

// The 16 kHz copy of a prompt is the µ-law prompt, aligned sample for
// sample: every even sample of the copy is a sample of the original.
func TestPromptWidebandCopy(t *testing.T) {
	p := NewPrompt("tone", tone(700, 8000, 200*time.Millisecond))
	if p.wideFrame(0) != nil {
		t.Fatal("copy before PrepareWideband")
	}
	p.PrepareWideband()
	p.PrepareWideband() // once is enough; twice is harmless
	narrow := make([]int16, FrameSamples)
	for i := range p.Frames() {
		DecodeUlaw(narrow, p.Frame(PCMU, i))
		wide := p.wideFrame(i)
		if len(wide) != 2*FrameSamples {
			t.Fatalf("frame %d: %d samples", i, len(wide))
		}
		for j, v := range narrow {
			if wide[2*j] != v {
				t.Fatalf("frame %d sample %d: %d, want %d", i, j, wide[2*j], v)
			}
		}
	}
	if p.wideFrame(p.Frames()) != nil || p.wideFrame(-1) != nil {
		t.Fatal("frame out of range")
	}
}

// A G.722 stream plays prompts and relays audio as G.722, and its received
// audio reaches the rest of the engine as µ-law.
func TestWidebandStreamSendsAndReceives(t *testing.T) {
	s, rec := newTestStream(StreamConfig{Codec: G722, DTMFPayloadType: 101})
	var sunk [][]byte
	s.SetAudioSink(func(p []byte) { sunk = append(sunk, append([]byte(nil), p...)) })
	p := NewPrompt("tone", tone(1000, 8000, 400*time.Millisecond))
	s.Play(p)
	for i := range p.Frames() {
		s.sendDue(time.Duration(i)*FrameDuration, nil)
	}
	pkts := rec.take()
	if len(pkts) != p.Frames() || pkts[0].PayloadType != 9 || len(pkts[0].Payload) != FrameSamples {
		t.Fatalf("%d packets, first %+v", len(pkts), pkts[0].Header)
	}
	got := decoded(G722, pkts)
	assertTone(t, "prompt over G.722", got[len(got)/2:], 1000, 2000)

	// Received G.722 is handed on as µ-law.
	for i, pkt := range pkts {
		s.handlePacket(rtpPacket(9, uint16(i), uint32(i*FrameSamples), 3, pkt.Payload), peer, 0)
	}
	if len(sunk) != len(pkts) || len(sunk[0]) != FrameSamples {
		t.Fatalf("sink got %d payloads", len(sunk))
	}
	var heard []int16
	for _, frame := range sunk {
		pcm := make([]int16, len(frame))
		DecodeUlaw(pcm, frame)
		heard = append(heard, pcm...)
	}
	assertTone(t, "received G.722", heard[len(heard)/2:], 1000, 2000)
	if st := s.Stats(); st.ReceivedNonSilentFrames < uint64(len(pkts))/2 {
		t.Fatalf("energy meter: %+v", st)
	}
}

func BenchmarkWidebandFrame(b *testing.B) {
	var send wideSend
	var recv wideRecv
	frame := make([]byte, FrameSamples)
	EncodeUlaw(frame, tone(1000, 8000, FrameDuration))
	b.ReportAllocs()
	for b.Loop() {
		send.stageNarrow(frame)
		recv.narrowband(send.encodeStaged())
	}
}

// A G.722 sender that restarts behind an SBC starts a new encoder: once
// the restart is confirmed the stream decodes with fresh state too.
func TestWidebandDecoderRestartsWithTheSource(t *testing.T) {
	s, _ := newTestStream(StreamConfig{Codec: G722})
	var got [][]byte
	s.SetAudioSink(func(p []byte) { got = append(got, append([]byte(nil), p...)) })
	encode := func(hz float64, frames int) [][]byte {
		p := NewPrompt("tone", tone(hz, 8000, time.Duration(frames)*FrameDuration))
		p.PrepareWideband()
		var w wideSend
		var out [][]byte
		for i := range frames {
			w.stagePrompt(p, i)
			out = append(out, append([]byte(nil), w.encodeStaged()...))
		}
		return out
	}
	before, after := encode(700, 20), encode(1100, 20)
	for i, payload := range before {
		s.handlePacket(rtpPacket(9, uint16(40000+i), uint32(i*FrameSamples), 7, payload), peer, 0)
	}
	got = nil
	for i, payload := range after { // same SSRC, numbers far back
		s.handlePacket(rtpPacket(9, uint16(100+i), uint32(i*FrameSamples), 7, payload), peer, 0)
	}
	if st := s.Stats(); st.SourceRestarts != 1 {
		t.Fatalf("restarts %d", st.SourceRestarts)
	}
	// From the confirming packet on, the output is what a fresh decoder
	// makes of the new sender's packets.
	var fresh wideRecv
	for i := 1; i < len(after); i++ {
		want := fresh.narrowband(after[i])
		if string(got[i]) != string(want) {
			t.Fatalf("packet %d after the restart decoded with stale state", i)
		}
	}
}

// Frames that carry a DTMF event instead of audio do not move the G.722
// encoder: the peer's decoder never sees them, and the two stay in step.
func TestWidebandEncoderSkipsEventFrames(t *testing.T) {
	s, rec := newTestStream(StreamConfig{Codec: G722, DTMFPayloadType: 101})
	p := NewPrompt("tone", tone(800, 8000, 600*time.Millisecond))
	s.Play(p)
	if err := s.SendDigit('5', 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for i := range p.Frames() {
		s.sendDue(time.Duration(i)*FrameDuration, nil)
	}
	pkts := rec.take()
	if len(pkts) != p.Frames() {
		t.Fatalf("%d packets for %d frames", len(pkts), p.Frames())
	}
	var enc wideSend
	events := 0
	for k, pkt := range pkts {
		if pkt.PayloadType == 101 {
			events++
			continue
		}
		enc.stagePrompt(p, k)
		if want := enc.encodeStaged(); string(pkt.Payload) != string(want) {
			t.Fatalf("audio packet %d differs from the encoder that skipped the event frames", k)
		}
	}
	if events == 0 {
		t.Fatal("no event packets")
	}
}

// Relaying between a G.711 caller and a G.722 agent allocates nothing per
// packet, either way.
func TestWidebandRelayDoesNotAllocate(t *testing.T) {
	caller, agent, h := silentBridge(t, PCMU, G722)
	defer h.Close()
	var enc wideSend
	enc.stageNarrow(toneFrame(PCMU))
	fromAgent := rtpPacket(9, 1, 0, 8, enc.encodeStaged())
	fromCaller := rtpPacket(0, 1, 0, 7, toneFrame(PCMU))
	agent.handlePacket(fromAgent, peer, 0) // the decoder is made once, here
	now := time.Duration(0)
	allocs := testing.AllocsPerRun(500, func() {
		caller.handlePacket(fromCaller, peer, now)
		agent.handlePacket(fromAgent, peer, now)
		agent.sendDue(now, nil)
		caller.sendDue(now, nil)
		now += FrameDuration
	})
	if allocs != 0 {
		t.Fatalf("relaying through G.722 allocates %v times per frame", allocs)
	}
	if st := agent.Stats(); st.RelayedFrames < 400 || st.PacketsSent < 500 {
		t.Fatalf("agent stats %+v", st)
	}
}
