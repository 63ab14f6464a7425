package media

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/hotline-oss/hotline/internal/audiotest"
	"github.com/hotline-oss/hotline/media/g722"
	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wideband"
)

const (
	callerHz = 500
	agentHz  = 1300
)

// testPeer is a phone on a raw socket: it sends a tone every 20 ms and
// keeps every packet it receives.
type testPeer struct {
	conn  *net.UDPConn
	codec rtpcodec.Codec
	tone  *playout.Prompt

	mu       sync.Mutex
	got      []rtp.Packet
	arrivals []time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

func newTestPeer(t *testing.T, c rtpcodec.Codec, hz float64) *testPeer {
	p := &testPeer{
		conn:  listenLoopback(t),
		codec: c,
		tone:  playout.NewPrompt("tone", mediatest.Tone(hz, 8000, time.Second)),
		stop:  make(chan struct{}),
	}
	p.wg.Add(1)
	go p.receive()
	t.Cleanup(p.close)
	return p
}

func (p *testPeer) addr() netip.AddrPort { return addrOf(p.conn) }

func (p *testPeer) close() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	_ = p.conn.Close()
	p.wg.Wait()
}

func (p *testPeer) receive() {
	defer p.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, err := p.conn.Read(buf)
		if err != nil {
			return
		}
		var pkt rtp.Packet
		if pkt.Unmarshal(append([]byte(nil), buf[:n]...)) != nil {
			continue
		}
		p.mu.Lock()
		p.got = append(p.got, pkt)
		p.arrivals = append(p.arrivals, time.Now())
		p.mu.Unlock()
	}
}

// talkTo sends the tone to dest at 50 packets a second until close.
func (p *testPeer) talkTo(dest netip.AddrPort) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		ticker := time.NewTicker(rtpcodec.FrameDuration)
		defer ticker.Stop()
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: p.codec.PayloadType(), SSRC: 0x5EED}}
		var enc g722.Encoder
		wide := make([]byte, rtpcodec.FrameSamples)
		p.tone.PrepareWideband()
		for i := 0; ; i++ {
			select {
			case <-p.stop:
				return
			case <-ticker.C:
			}
			pkt.SequenceNumber, pkt.Timestamp = uint16(i), uint32(i*rtpcodec.FrameSamples)
			pkt.Payload = p.tone.Frame(p.codec, i%p.tone.Frames())
			if p.codec == rtpcodec.G722 {
				pkt.Payload = wide[:enc.Encode(wide, p.tone.WideFrame(i%p.tone.Frames()))]
			}
			raw, err := pkt.Marshal()
			if err != nil {
				return
			}
			if _, err := p.conn.WriteToUDPAddrPort(raw, dest); err != nil {
				return
			}
		}
	}()
}

func (p *testPeer) packets() ([]rtp.Packet, []time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]rtp.Packet(nil), p.got...), append([]time.Time(nil), p.arrivals...)
}

func (p *testPeer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got)
}

// decoded returns the audio of pkts as linear samples.
func decoded(c rtpcodec.Codec, pkts []rtp.Packet) []int16 {
	var pcm []int16
	if c == rtpcodec.G722 { // decoded, then brought down to 8 kHz as the engine does
		var w wideband.Receiver
		for _, pkt := range pkts {
			narrow := w.Narrowband(pkt.Payload)
			frame := make([]int16, len(narrow))
			rtpcodec.DecodeUlaw(frame, narrow)
			pcm = append(pcm, frame...)
		}
		return pcm
	}
	for _, pkt := range pkts {
		frame := make([]int16, len(pkt.Payload))
		c.Decode(frame, pkt.Payload)
		pcm = append(pcm, frame...)
	}
	return pcm
}

func isSilent(c rtpcodec.Codec, pkt rtp.Packet) bool {
	pcm := decoded(c, []rtp.Packet{pkt})
	var sum int
	for _, v := range pcm {
		sum += int(max(v, -v))
	}
	return len(pcm) > 0 && sum/len(pcm) < 50
}

// tonePackets counts the packets from index from on that carry sound.
func (p *testPeer) tonePackets(from int) int {
	pkts, _ := p.packets()
	n := 0
	for _, pkt := range pkts[min(from, len(pkts)):] {
		if !isSilent(p.codec, pkt) {
			n++
		}
	}
	return n
}

// call is a caller peer and an agent peer, each talking to its own leg.
type call struct {
	callerPeer, agentPeer *testPeer
	callerLeg, agentLeg   *Stream
	pacer                 *Pacer
}

func newCall(t *testing.T, callerCodec, agentCodec rtpcodec.Codec) *call {
	c := &call{pacer: startedPacer(t)}
	c.callerPeer, c.agentPeer = newTestPeer(t, callerCodec, callerHz), newTestPeer(t, agentCodec, agentHz)
	c.callerLeg = NewStream(listenLoopback(t), StreamConfig{Codec: callerCodec, Remote: c.callerPeer.addr()}, nil)
	c.agentLeg = NewStream(listenLoopback(t), StreamConfig{Codec: agentCodec, Remote: c.agentPeer.addr()}, nil)
	t.Cleanup(c.callerLeg.Close)
	t.Cleanup(c.agentLeg.Close)
	c.callerLeg.Start(c.pacer)
	c.agentLeg.Start(c.pacer)
	c.callerPeer.talkTo(c.callerLeg.LocalAddr())
	c.agentPeer.talkTo(c.agentLeg.LocalAddr())
	return c
}

// checkLeg verifies what a peer received from leg since index from: one
// SSRC, contiguous sequence numbers and timestamps, about 50 packets a
// second, and the other party's tone in the last second.
func checkLeg(t *testing.T, what string, peer *testPeer, leg *Stream, from int, wantHz, otherHz float64) {
	t.Helper()
	pkts, arrivals := peer.packets()
	pkts, arrivals = pkts[from:], arrivals[from:]
	for i, pkt := range pkts {
		if pkt.SSRC != leg.SSRC() || len(pkt.Payload) != rtpcodec.FrameSamples || pkt.PayloadType != peer.codec.PayloadType() {
			t.Fatalf("%s packet %d: %+v", what, i, pkt.Header)
		}
		if i > 0 && (pkt.SequenceNumber != pkts[i-1].SequenceNumber+1 || pkt.Timestamp != pkts[i-1].Timestamp+rtpcodec.FrameSamples) {
			t.Fatalf("%s packet %d: seq %d ts %d after seq %d ts %d", what, i, pkt.SequenceNumber, pkt.Timestamp, pkts[i-1].SequenceNumber, pkts[i-1].Timestamp)
		}
	}
	span := arrivals[len(arrivals)-1].Sub(arrivals[0]).Seconds()
	if rate := float64(len(pkts)-1) / span; rate < 40 || rate > 60 {
		t.Errorf("%s: %.1f packets/s, want about 50", what, rate)
	}
	audiotest.AssertTone(t, what, decoded(peer.codec, pkts[len(pkts)-50:]), wantHz, otherHz)
}

func TestBridgeLoopback(t *testing.T) {
	for _, tc := range []struct {
		name          string
		caller, agent rtpcodec.Codec
	}{
		{"same-law", rtpcodec.PCMU, rtpcodec.PCMU}, {"ulaw-caller-alaw-agent", rtpcodec.PCMU, rtpcodec.PCMA},
		{"alaw-caller-g722-agent", rtpcodec.PCMA, rtpcodec.G722}, {"g722-both", rtpcodec.G722, rtpcodec.G722},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCall(t, tc.caller, tc.agent)
			waitFor(t, 2*time.Second, "legs to send", func() bool { return c.agentPeer.count() >= 5 && c.callerPeer.count() >= 5 })
			if c.agentPeer.tonePackets(0)+c.callerPeer.tonePackets(0) != 0 {
				t.Fatal("sound before bridging")
			}
			h, err := Bridge(c.callerLeg, c.agentLeg)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			waitFor(t, 5*time.Second, "a second of each party's tone", func() bool {
				return c.agentPeer.tonePackets(0) >= 60 && c.callerPeer.tonePackets(0) >= 60
			})
			checkLeg(t, "agent hears", c.agentPeer, c.agentLeg, 0, callerHz, agentHz)
			checkLeg(t, "caller hears", c.callerPeer, c.callerLeg, 0, agentHz, callerHz)
			st := c.agentLeg.Stats()
			t.Logf("agent leg: relayed %d, underflows %d, dropped %d, trimmed %d",
				st.RelayedFrames, st.RelayUnderflows, st.RelayDroppedFrames, st.RelayTrimmedFrames)

			h.Close()
			closedAt := c.agentPeer.count()
			waitFor(t, 2*time.Second, "silence after unbridging", func() bool {
				pkts, _ := c.agentPeer.packets()
				if len(pkts) < closedAt+15 {
					return false
				}
				return c.agentPeer.tonePackets(len(pkts)-10) == 0
			})
			relayed := c.agentLeg.Stats().RelayedFrames
			now := c.agentPeer.count()
			waitFor(t, 2*time.Second, "more packets", func() bool { return c.agentPeer.count() >= now+10 })
			if c.agentPeer.tonePackets(now) != 0 || c.agentLeg.Stats().RelayedFrames != relayed {
				t.Fatal("audio still relayed after Close")
			}
		})
	}
}

func TestBridgeRecordingLoopback(t *testing.T) {
	baseline := runtime.NumGoroutine()
	c := newCall(t, rtpcodec.PCMU, rtpcodec.PCMA)
	h, err := Bridge(c.callerLeg, c.agentLeg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "call.wav")
	rec, err := h.StartRecordingFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.StartRecording(&failingWriter{}); !errors.Is(err, ErrRecording) {
		t.Fatalf("second recording: %v", err)
	}
	waitFor(t, 5*time.Second, "a second and a half of conversation", func() bool {
		return c.agentPeer.tonePackets(0) >= 75 && c.callerPeer.tonePackets(0) >= 75
	})
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := rec.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	st := rec.Stats()
	t.Logf("recording: %+v", st)
	if st.Frames < 60 || st.DroppedFrames != 0 {
		t.Fatalf("recording stats %+v", st)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	left, right := audiotest.ParseStereoWAV(t, data, true)
	if uint64(len(left))/rtpcodec.FrameSamples != st.Frames {
		t.Fatalf("%d samples for %d frames", len(left), st.Frames)
	}
	middle := func(pcm []int16) []int16 { return pcm[len(pcm)/4 : 3*len(pcm)/4] }
	audiotest.AssertTone(t, "left (caller)", middle(left), callerHz, agentHz)
	audiotest.AssertTone(t, "right (agent)", middle(right), agentHz, callerHz)

	// A new recording may follow; Close finishes it.
	if _, err := h.StartRecording(&failingWriter{after: audiotest.WAVHeaderSize}); err != nil {
		t.Fatal(err)
	}
	h.Close()
	c.callerPeer.close()
	c.agentPeer.close()
	c.callerLeg.Close()
	c.agentLeg.Close()
	c.pacer.Stop()
	waitFor(t, 2*time.Second, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= baseline })
}
