package media

import (
	"errors"
	"testing"
	"time"
)

// Each party speaks its own tone; a whole number of cycles fits a frame,
// so the Goertzel powers of the three are independent of one another.
const (
	mixCallerHz     = 500.0
	mixAgentHz      = 1000.0
	mixSupervisorHz = 1500.0
	partyLevel      = 6000
	// heardPower separates a tone that is present (about level²/4 = 9e6)
	// from leakage and G.711 quantisation noise (below 1e4).
	heardPower = 1e6
)

func partyFrame(hz float64, c Codec) []byte {
	frame := make([]byte, FrameSamples)
	c.Encode(frame, tone(hz, partyLevel, FrameDuration))
	return frame
}

// tonesIn lists which of the three party tones a payload in c carries.
func tonesIn(payload []byte, c Codec) string {
	pcm := make([]int16, len(payload))
	c.Decode(pcm, payload)
	out := ""
	for _, p := range []struct {
		name string
		hz   float64
	}{{"C", mixCallerHz}, {"A", mixAgentHz}, {"S", mixSupervisorHz}} {
		if goertzel(pcm, p.hz) > heardPower {
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
func newMonitoredCall(t *testing.T, mode MonitorMode) *monitoredCall {
	t.Helper()
	mc := &monitoredCall{}
	mc.caller, mc.agent, mc.callerConn, mc.agentConn, mc.bridge = bridgedPair(t, PCMU, PCMA)
	mc.sup, mc.supConn = newTestStream(StreamConfig{Codec: PCMU, DTMFPayloadType: 101})
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
	ts := uint32(mc.seq) * FrameSamples
	mc.caller.handlePacket(rtpPacket(0, mc.seq, ts, 1, partyFrame(mixCallerHz, PCMU)), peer, mc.now)
	mc.agent.handlePacket(rtpPacket(8, mc.seq, ts, 2, partyFrame(mixAgentHz, PCMA)), peer, mc.now)
	mc.sup.handlePacket(rtpPacket(0, mc.seq, ts, 3, partyFrame(mixSupervisorHz, PCMU)), peer, mc.now)
	caller = tonesIn(sendOne(t, mc.caller, mc.callerConn, mc.now), PCMU)
	agent = tonesIn(sendOne(t, mc.agent, mc.agentConn, mc.now), PCMA)
	sup = tonesIn(sendOne(t, mc.sup, mc.supConn, mc.now), PCMU)
	mc.now += FrameDuration
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
	mc := newMonitoredCall(t, MonitorListen)
	mc.expect(t, "listen", "A", "C", "CA")
	if err := mc.mon.SetMode(MonitorWhisper); err != nil {
		t.Fatal(err)
	}
	// The supervisor→agent ring opened empty: the whisper starts with
	// the supervisor's next packet, never with stale audio.
	mc.expect(t, "whisper", "A", "CS", "CA")
	if err := mc.mon.SetMode(MonitorBarge); err != nil {
		t.Fatal(err)
	}
	mc.expect(t, "barge", "AS", "CS", "CA")
	if err := mc.mon.SetMode(MonitorListen); err != nil {
		t.Fatal(err)
	}
	mc.expect(t, "back to listen", "A", "C", "CA")
	if mc.mon.Mode() != MonitorListen {
		t.Fatalf("mode %v", mc.mon.Mode())
	}
}

func TestMonitorFollowsHold(t *testing.T) {
	mc := newMonitoredCall(t, MonitorWhisper)
	mc.bridge.Hold(nil)
	// The caller is parked: nobody hears them, they hear nobody; agent
	// and supervisor can still talk.
	mc.expect(t, "whisper on hold", "", "S", "A")
	mc.bridge.Unhold()
	mc.expect(t, "whisper after hold", "A", "CS", "CA")
}

func TestMonitorCloseRestoresTheDirectPath(t *testing.T) {
	mc := newMonitoredCall(t, MonitorBarge)
	mc.expect(t, "barge", "AS", "CS", "CA")
	mc.mon.Close()
	mc.mon.Close()
	select {
	case <-mc.mon.Done():
	default:
		t.Fatal("Done not closed by Close")
	}
	mc.expect(t, "after the supervisor left", "A", "C", "")
	if err := mc.mon.SetMode(MonitorListen); !errors.Is(err, ErrBridgeClosed) {
		t.Fatalf("SetMode after Close: %v", err)
	}
	// The call may be monitored again, by the same stream or another.
	again, err := mc.bridge.Monitor(mc.sup, MonitorListen)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
}

func TestMonitorEndsWithTheBridge(t *testing.T) {
	mc := newMonitoredCall(t, MonitorListen)
	mc.bridge.Close()
	select {
	case <-mc.mon.Done():
	default:
		t.Fatal("Done not closed when the bridge closed")
	}
	if mc.sup.mix.Load() != nil || mc.caller.mix.Load() != nil || mc.agent.mix.Load() != nil {
		t.Fatal("a stream still points at the mixer")
	}
	if _, err := mc.bridge.Monitor(mc.sup, MonitorListen); !errors.Is(err, ErrBridgeClosed) {
		t.Fatalf("monitoring a closed bridge: %v", err)
	}
}

func TestMonitorRefusals(t *testing.T) {
	mc := newMonitoredCall(t, MonitorListen)
	other, _ := newTestStream(StreamConfig{})
	if _, err := mc.bridge.Monitor(other, MonitorBarge); !errors.Is(err, ErrMonitored) {
		t.Fatalf("second monitor: %v", err)
	}
	if _, err := mc.bridge.Monitor(mc.caller, MonitorListen); !errors.Is(err, ErrBridged) {
		t.Fatalf("the caller monitoring its own call: %v", err)
	}
	if err := mc.mon.SetMode(0); !errors.Is(err, ErrMonitorMode) {
		t.Fatalf("mode 0: %v", err)
	}
	_, _, _, _, h2 := bridgedPair(t, PCMU, PCMU)
	if _, err := h2.Monitor(mc.sup, MonitorListen); !errors.Is(err, ErrBridged) {
		t.Fatalf("one supervisor stream on two calls: %v", err)
	}
	if _, err := h2.Monitor(other, MonitorMode(9)); !errors.Is(err, ErrMonitorMode) {
		t.Fatalf("mode 9: %v", err)
	}
	for _, s := range []string{"listen", "whisper", "barge"} {
		if m, err := ParseMonitorMode(s); err != nil || m.String() != s {
			t.Fatalf("ParseMonitorMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseMonitorMode("spy"); !errors.Is(err, ErrMonitorMode) {
		t.Fatalf("ParseMonitorMode(spy): %v", err)
	}
}

func TestHearsMatrix(t *testing.T) {
	// Rows: listener caller, agent, supervisor; columns: source.
	want := map[string][mixParties]string{
		"listen":       {".+-", "+.-", "++."},
		"whisper":      {".+-", "+.+", "++."},
		"barge":        {".++", "+.+", "++."},
		"listen held":  {".--", "-.-", "-+."},
		"whisper held": {".--", "-.+", "-+."},
		"barge held":   {".--", "-.+", "-+."},
	}
	for _, mode := range []MonitorMode{MonitorListen, MonitorWhisper, MonitorBarge} {
		for _, held := range []bool{false, true} {
			name := mode.String()
			if held {
				name += " held"
			}
			for l := range mixParties {
				got := ""
				for s := range mixParties {
					switch {
					case l == s:
						got += "."
					case hears(mode, held, l, s):
						got += "+"
					default:
						got += "-"
					}
				}
				if got != want[name][l] {
					t.Errorf("%s: listener %d hears %s, want %s", name, l, got, want[name][l])
				}
			}
		}
	}
}

func TestMixSumsLinearlyAndSaturates(t *testing.T) {
	for _, c := range []Codec{PCMU, PCMA} {
		t.Run(c.String(), func(t *testing.T) {
			var m mixer
			m.init(MonitorBarge, false)
			// Constant levels whose G.711 codes decode exactly; the
			// supervisor (listener) hears caller + agent.
			a, b := linearTable(c)[c.encodeOne(1000)], linearTable(c)[c.encodeOne(-3000)]
			m.push(partyCaller, c, constFrame(c, 1000))
			m.push(partyAgent, c, constFrame(c, -3000))
			var frame [FrameSamples]byte
			if !m.pop(partySupervisor, &frame, c) {
				t.Fatal("no mixed frame")
			}
			want := c.encodeOne(a + b)
			for i, code := range frame {
				if code != want {
					t.Fatalf("sample %d: code %#x (%d), want %#x (%d)", i, code, linearTable(c)[code], want, a+b)
				}
			}
			// Two loud sources clip at full scale instead of wrapping to
			// the opposite sign.
			m.push(partyCaller, c, constFrame(c, 30000))
			m.push(partyAgent, c, constFrame(c, 30000))
			m.pop(partySupervisor, &frame, c)
			if got := linearTable(c)[frame[0]]; got != linearTable(c)[c.encodeOne(32767)] {
				t.Fatalf("30000+30000 mixed to %d", got)
			}
			m.push(partyCaller, c, constFrame(c, -30000))
			m.push(partyAgent, c, constFrame(c, -30000))
			m.pop(partySupervisor, &frame, c)
			if got := linearTable(c)[frame[0]]; got != linearTable(c)[c.encodeOne(-32768)] {
				t.Fatalf("-30000-30000 mixed to %d", got)
			}
			// Nobody spoke: no frame, the stream sends silence.
			if m.pop(partySupervisor, &frame, c) {
				t.Fatal("a frame out of empty rings")
			}
		})
	}
}

func (c Codec) encodeOne(v int16) byte {
	var b [1]byte
	c.Encode(b[:], []int16{v})
	return b[0]
}

func constFrame(c Codec, v int16) []byte {
	pcm := make([]int16, FrameSamples)
	for i := range pcm {
		pcm[i] = v
	}
	out := make([]byte, FrameSamples)
	c.Encode(out, pcm)
	return out
}

func TestMixerEncodeTablesMatchTheQuantisers(t *testing.T) {
	for v := -32768; v <= 32767; v++ {
		s := int16(v)
		if got, want := ulawEncodeTable[uint16(s)>>2], LinearToUlaw(s); got != want {
			t.Fatalf("µ-law %d: table %#x, quantiser %#x", v, got, want)
		}
		if got, want := alawEncodeTable[uint16(s)>>4], LinearToAlaw(s); got != want {
			t.Fatalf("A-law %d: table %#x, quantiser %#x", v, got, want)
		}
	}
}

func TestMixerRingsRechunkAndBoundDelay(t *testing.T) {
	var m mixer
	m.init(MonitorListen, false)
	var frame [FrameSamples]byte
	// 10 ms packets make a frame per two.
	m.push(partyCaller, PCMU, constFrame(PCMU, 1000)[:80])
	if m.pop(partySupervisor, &frame, PCMU) {
		t.Fatal("a frame out of 10 ms of audio")
	}
	m.push(partyCaller, PCMU, constFrame(PCMU, 1000)[:80])
	if !m.pop(partySupervisor, &frame, PCMU) {
		t.Fatal("two 10 ms packets made no frame")
	}
	// A burst longer than the ring keeps only the newest audio.
	for range relayFrames + 4 {
		m.push(partyCaller, PCMU, constFrame(PCMU, 1000))
	}
	if got := m.rings[partySupervisor][partyCaller].size; got != mixRingSamples {
		t.Fatalf("ring holds %d samples after a burst, want %d", got, mixRingSamples)
	}
	// A standing delay is trimmed back to two frames within a window.
	for range 2 * mixTrimWindow { // the first window saw the short ring above
		m.push(partyCaller, PCMU, constFrame(PCMU, 1000))
		m.pop(partySupervisor, &frame, PCMU)
	}
	if got := m.rings[partySupervisor][partyCaller].size; got > mixKeepSamples {
		t.Fatalf("ring holds %d samples after trimming, want at most %d", got, mixKeepSamples)
	}
}

func TestMixerDoesNotAllocate(t *testing.T) {
	mc := newMonitoredCall(t, MonitorBarge)
	pkt := rtpPacket(0, 1, 0, 1, partyFrame(mixCallerHz, PCMU))
	var frame [FrameSamples]byte
	allocs := testing.AllocsPerRun(200, func() {
		mc.caller.handlePacket(pkt, peer, 0)
		mc.mon.mix.pop(partySupervisor, &frame, PCMU)
		mc.mon.mix.pop(partyAgent, &frame, PCMA)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per frame", allocs)
	}
}

// BenchmarkMix3 is one 20 ms tick of a three-way (barge) call: a frame
// from each party into the mixer, then a mixed frame out for each.
func BenchmarkMix3(b *testing.B) {
	var m mixer
	m.init(MonitorBarge, false)
	frames := [mixParties][]byte{partyFrame(mixCallerHz, PCMU), partyFrame(mixAgentHz, PCMA), partyFrame(mixSupervisorHz, PCMU)}
	codecs := [mixParties]Codec{PCMU, PCMA, PCMU}
	var out [FrameSamples]byte
	b.ReportAllocs()
	for b.Loop() {
		for p := range mixParties {
			m.push(p, codecs[p], frames[p])
		}
		for p := range mixParties {
			if !m.pop(p, &out, codecs[p]) {
				b.Fatalf("party %d: no frame", p)
			}
		}
	}
}
