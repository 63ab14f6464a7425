package media

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/audiotest"
	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wideband"
)

// A G.722 stream plays prompts and relays audio as G.722, and its received
// audio reaches the rest of the engine as µ-law.
func TestWidebandStreamSendsAndReceives(t *testing.T) {
	s, rec := newTestStream(StreamConfig{Codec: rtpcodec.G722, DTMFPayloadType: 101})
	var sunk [][]byte
	s.SetAudioSink(func(p []byte) { sunk = append(sunk, append([]byte(nil), p...)) })
	p := playout.NewPrompt("tone", mediatest.Tone(1000, 8000, 400*time.Millisecond))
	s.Play(p)
	for i := range p.Frames() {
		s.sendDue(time.Duration(i)*rtpcodec.FrameDuration, nil)
	}
	pkts := rec.take()
	if len(pkts) != p.Frames() || pkts[0].PayloadType != 9 || len(pkts[0].Payload) != rtpcodec.FrameSamples {
		t.Fatalf("%d packets, first %+v", len(pkts), pkts[0].Header)
	}
	got := decoded(rtpcodec.G722, pkts)
	audiotest.AssertTone(t, "prompt over G.722", got[len(got)/2:], 1000, 2000)

	// Received G.722 is handed on as µ-law.
	for i, pkt := range pkts {
		s.handlePacket(rtpPacket(9, uint16(i), uint32(i*rtpcodec.FrameSamples), 3, pkt.Payload), peer, 0)
	}
	if len(sunk) != len(pkts) || len(sunk[0]) != rtpcodec.FrameSamples {
		t.Fatalf("sink got %d payloads", len(sunk))
	}
	var heard []int16
	for _, frame := range sunk {
		pcm := make([]int16, len(frame))
		rtpcodec.DecodeUlaw(pcm, frame)
		heard = append(heard, pcm...)
	}
	audiotest.AssertTone(t, "received G.722", heard[len(heard)/2:], 1000, 2000)
	if st := s.Stats(); st.ReceivedNonSilentFrames < uint64(len(pkts))/2 {
		t.Fatalf("energy meter: %+v", st)
	}
}

// A G.722 sender that restarts behind an SBC starts a new encoder: once
// the restart is confirmed the stream decodes with fresh state too.
func TestWidebandDecoderRestartsWithTheSource(t *testing.T) {
	s, _ := newTestStream(StreamConfig{Codec: rtpcodec.G722})
	var got [][]byte
	s.SetAudioSink(func(p []byte) { got = append(got, append([]byte(nil), p...)) })
	encode := func(hz float64, frames int) [][]byte {
		p := playout.NewPrompt("tone", mediatest.Tone(hz, 8000, time.Duration(frames)*rtpcodec.FrameDuration))
		p.PrepareWideband()
		var w wideband.Sender
		var out [][]byte
		for i := range frames {
			w.StagePrompt(p, i)
			out = append(out, append([]byte(nil), w.EncodeStaged()...))
		}
		return out
	}
	before, after := encode(700, 20), encode(1100, 20)
	for i, payload := range before {
		s.handlePacket(rtpPacket(9, uint16(40000+i), uint32(i*rtpcodec.FrameSamples), 7, payload), peer, 0)
	}
	got = nil
	for i, payload := range after { // same SSRC, numbers far back
		s.handlePacket(rtpPacket(9, uint16(100+i), uint32(i*rtpcodec.FrameSamples), 7, payload), peer, 0)
	}
	if st := s.Stats(); st.SourceRestarts != 1 {
		t.Fatalf("restarts %d", st.SourceRestarts)
	}
	// From the confirming packet on, the output is what a fresh decoder
	// makes of the new sender's packets.
	var fresh wideband.Receiver
	for i := 1; i < len(after); i++ {
		want := fresh.Narrowband(after[i])
		if string(got[i]) != string(want) {
			t.Fatalf("packet %d after the restart decoded with stale state", i)
		}
	}
}

// Frames that carry a DTMF event instead of audio do not move the G.722
// encoder: the peer's decoder never sees them, and the two stay in step.
func TestWidebandEncoderSkipsEventFrames(t *testing.T) {
	s, rec := newTestStream(StreamConfig{Codec: rtpcodec.G722, DTMFPayloadType: 101})
	p := playout.NewPrompt("tone", mediatest.Tone(800, 8000, 600*time.Millisecond))
	s.Play(p)
	if err := s.SendDigit('5', 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for i := range p.Frames() {
		s.sendDue(time.Duration(i)*rtpcodec.FrameDuration, nil)
	}
	pkts := rec.take()
	if len(pkts) != p.Frames() {
		t.Fatalf("%d packets for %d frames", len(pkts), p.Frames())
	}
	var enc wideband.Sender
	events := 0
	for k, pkt := range pkts {
		if pkt.PayloadType == 101 {
			events++
			continue
		}
		enc.StagePrompt(p, k)
		if want := enc.EncodeStaged(); string(pkt.Payload) != string(want) {
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
	caller, agent, h := silentBridge(t, rtpcodec.PCMU, rtpcodec.G722)
	defer h.Close()
	var enc wideband.Sender
	enc.StageNarrow(mediatest.ToneFrame(rtpcodec.PCMU))
	fromAgent := rtpPacket(9, 1, 0, 8, enc.EncodeStaged())
	fromCaller := rtpPacket(0, 1, 0, 7, mediatest.ToneFrame(rtpcodec.PCMU))
	agent.handlePacket(fromAgent, peer, 0) // the decoder is made once, here
	now := time.Duration(0)
	allocs := testing.AllocsPerRun(500, func() {
		caller.handlePacket(fromCaller, peer, now)
		agent.handlePacket(fromAgent, peer, now)
		agent.sendDue(now, nil)
		caller.sendDue(now, nil)
		now += rtpcodec.FrameDuration
	})
	if allocs != 0 {
		t.Fatalf("relaying through G.722 allocates %v times per frame", allocs)
	}
	if st := agent.Stats(); st.RelayedFrames < 400 || st.PacketsSent < 500 {
		t.Fatalf("agent stats %+v", st)
	}
}
