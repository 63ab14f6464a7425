package media

import (
	"errors"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/audiotest"
	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// tonesIn lists which of the three party tones a payload in c carries.
func tonesIn(payload []byte, c rtpcodec.Codec) string {
	pcm := make([]int16, len(payload))
	c.Decode(pcm, payload)
	out := ""
	for _, p := range []struct {
		name string
		hz   float64
	}{{"C", mediatest.CallerHz}, {"A", mediatest.AgentHz}, {"S", mediatest.SupervisorHz}} {
		if audiotest.Goertzel(pcm, p.hz) > mediatest.HeardPower {
			out += p.name
		}
	}
	return out
}

type monitoredCall struct {
	caller, agent, sup             *Stream
	callerConn, agentConn, supConn *recordingConn
	bridge                         *BridgeHandle
	mon                            *Monitor
	seq                            uint16
	now                            time.Duration
}

// newMonitoredCall bridges a µ-law caller with an A-law agent and joins a
// µ-law supervisor in mode, so every path also crosses a codec boundary.
func newMonitoredCall(t *testing.T, mode mix.Mode) *monitoredCall {
	t.Helper()
	mc := &monitoredCall{}
	mc.caller, mc.agent, mc.callerConn, mc.agentConn, mc.bridge = bridgedPair(t, rtpcodec.PCMU, rtpcodec.PCMA)
	mc.sup, mc.supConn = newTestStream(StreamConfig{Codec: rtpcodec.PCMU, DTMFPayloadType: 101})
	m, err := mc.bridge.Monitor(mc.sup, mode)
	if err != nil {
		t.Fatal(err)
	}
	mc.mon = m
	t.Cleanup(m.Close)
	return mc
}

// tick makes every party speak one frame and returns what each one heard
// on that frame, as tone letters: caller, agent, supervisor.
func (mc *monitoredCall) tick(t *testing.T) (caller, agent, sup string) {
	t.Helper()
	mc.seq++
	ts := uint32(mc.seq) * rtpcodec.FrameSamples
	mc.caller.handlePacket(rtpPacket(0, mc.seq, ts, 1, mediatest.PartyFrame(mediatest.CallerHz, rtpcodec.PCMU)), peer, mc.now)
	mc.agent.handlePacket(rtpPacket(8, mc.seq, ts, 2, mediatest.PartyFrame(mediatest.AgentHz, rtpcodec.PCMA)), peer, mc.now)
	mc.sup.handlePacket(rtpPacket(0, mc.seq, ts, 3, mediatest.PartyFrame(mediatest.SupervisorHz, rtpcodec.PCMU)), peer, mc.now)
	caller = tonesIn(sendOne(t, mc.caller, mc.callerConn, mc.now), rtpcodec.PCMU)
	agent = tonesIn(sendOne(t, mc.agent, mc.agentConn, mc.now), rtpcodec.PCMA)
	sup = tonesIn(sendOne(t, mc.sup, mc.supConn, mc.now), rtpcodec.PCMU)
	mc.now += rtpcodec.FrameDuration
	return caller, agent, sup
}

func (mc *monitoredCall) expect(t *testing.T, what, caller, agent, sup string) {
	t.Helper()
	c, a, s := mc.tick(t)
	if c != caller || a != agent || s != sup {
		t.Fatalf("%s: caller hears %q agent %q supervisor %q; want %q %q %q", what, c, a, s, caller, agent, sup)
	}
}

func TestMonitorRoutingMatrix(t *testing.T) {
	mc := newMonitoredCall(t, mix.Listen)
	mc.expect(t, "listen", "A", "C", "CA")
	if err := mc.mon.SetMode(mix.Whisper); err != nil {
		t.Fatal(err)
	}
	// The supervisor→agent ring opened empty: the whisper starts with
	// the supervisor's next packet, never with stale audio.
	mc.expect(t, "whisper", "A", "CS", "CA")
	if err := mc.mon.SetMode(mix.Barge); err != nil {
		t.Fatal(err)
	}
	mc.expect(t, "barge", "AS", "CS", "CA")
	if err := mc.mon.SetMode(mix.Listen); err != nil {
		t.Fatal(err)
	}
	mc.expect(t, "back to listen", "A", "C", "CA")
	if mc.mon.Mode() != mix.Listen {
		t.Fatalf("mode %v", mc.mon.Mode())
	}
}

func TestMonitorFollowsHold(t *testing.T) {
	mc := newMonitoredCall(t, mix.Whisper)
	mc.bridge.Hold(nil)
	// The caller is parked: nobody hears them, they hear nobody; agent
	// and supervisor can still talk.
	mc.expect(t, "whisper on hold", "", "S", "A")
	mc.bridge.Unhold()
	mc.expect(t, "whisper after hold", "A", "CS", "CA")
}

func TestMonitorCloseRestoresTheDirectPath(t *testing.T) {
	mc := newMonitoredCall(t, mix.Barge)
	mc.expect(t, "barge", "AS", "CS", "CA")
	mc.mon.Close()
	mc.mon.Close()
	select {
	case <-mc.mon.Done():
	default:
		t.Fatal("Done not closed by Close")
	}
	mc.expect(t, "after the supervisor left", "A", "C", "")
	if err := mc.mon.SetMode(mix.Listen); !errors.Is(err, ErrBridgeClosed) {
		t.Fatalf("SetMode after Close: %v", err)
	}
	// The call may be monitored again, by the same stream or another.
	again, err := mc.bridge.Monitor(mc.sup, mix.Listen)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
}

func TestMonitorEndsWithTheBridge(t *testing.T) {
	mc := newMonitoredCall(t, mix.Listen)
	mc.bridge.Close()
	select {
	case <-mc.mon.Done():
	default:
		t.Fatal("Done not closed when the bridge closed")
	}
	if mc.sup.mix.Load() != nil || mc.caller.mix.Load() != nil || mc.agent.mix.Load() != nil {
		t.Fatal("a stream still points at the mixer")
	}
	if _, err := mc.bridge.Monitor(mc.sup, mix.Listen); !errors.Is(err, ErrBridgeClosed) {
		t.Fatalf("monitoring a closed bridge: %v", err)
	}
}

func TestMonitorRefusals(t *testing.T) {
	mc := newMonitoredCall(t, mix.Listen)
	other, _ := newTestStream(StreamConfig{})
	if _, err := mc.bridge.Monitor(other, mix.Barge); !errors.Is(err, ErrMonitored) {
		t.Fatalf("second monitor: %v", err)
	}
	if _, err := mc.bridge.Monitor(mc.caller, mix.Listen); !errors.Is(err, ErrBridged) {
		t.Fatalf("the caller monitoring its own call: %v", err)
	}
	if err := mc.mon.SetMode(0); !errors.Is(err, mix.ErrMode) {
		t.Fatalf("mode 0: %v", err)
	}
	_, _, _, _, h2 := bridgedPair(t, rtpcodec.PCMU, rtpcodec.PCMU)
	if _, err := h2.Monitor(mc.sup, mix.Listen); !errors.Is(err, ErrBridged) {
		t.Fatalf("one supervisor stream on two calls: %v", err)
	}
	if _, err := h2.Monitor(other, mix.Mode(9)); !errors.Is(err, mix.ErrMode) {
		t.Fatalf("mode 9: %v", err)
	}
	for _, s := range []string{"listen", "whisper", "barge"} {
		if m, err := mix.ParseMode(s); err != nil || m.String() != s {
			t.Fatalf("ParseMonitorMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := mix.ParseMode("spy"); !errors.Is(err, mix.ErrMode) {
		t.Fatalf("ParseMonitorMode(spy): %v", err)
	}
}

func TestMixerDoesNotAllocate(t *testing.T) {
	mc := newMonitoredCall(t, mix.Barge)
	pkt := rtpPacket(0, 1, 0, 1, mediatest.PartyFrame(mediatest.CallerHz, rtpcodec.PCMU))
	var frame [rtpcodec.FrameSamples]byte
	allocs := testing.AllocsPerRun(200, func() {
		mc.caller.handlePacket(pkt, peer, 0)
		mc.mon.mix.Pop(mix.Supervisor, &frame, rtpcodec.PCMU)
		mc.mon.mix.Pop(mix.Agent, &frame, rtpcodec.PCMA)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per frame", allocs)
	}
}
