package mix

import (
	"testing"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

func TestHearsMatrix(t *testing.T) {
	// Rows: listener caller, agent, supervisor; columns: source.
	want := map[string][Parties]string{
		"listen":       {".+-", "+.-", "++."},
		"whisper":      {".+-", "+.+", "++."},
		"barge":        {".++", "+.+", "++."},
		"listen held":  {".--", "-.-", "-+."},
		"whisper held": {".--", "-.+", "-+."},
		"barge held":   {".--", "-.+", "-+."},
	}
	for _, mode := range []Mode{Listen, Whisper, Barge} {
		for _, held := range []bool{false, true} {
			name := mode.String()
			if held {
				name += " held"
			}
			for l := range Parties {
				got := ""
				for s := range Parties {
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
	for _, c := range []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA} {
		t.Run(c.String(), func(t *testing.T) {
			var m Mixer
			m.Init(Barge, false)
			// Constant levels whose G.711 codes decode exactly; the
			// supervisor (listener) hears caller + agent.
			a, b := c.LinearTable()[encodeCode(c, 1000)], c.LinearTable()[encodeCode(c, -3000)]
			m.Push(Caller, c, constFrame(c, 1000))
			m.Push(Agent, c, constFrame(c, -3000))
			var frame [rtpcodec.FrameSamples]byte
			if !m.Pop(Supervisor, &frame, c) {
				t.Fatal("no mixed frame")
			}
			want := encodeCode(c, a+b)
			for i, code := range frame {
				if code != want {
					t.Fatalf("sample %d: code %#x (%d), want %#x (%d)", i, code, c.LinearTable()[code], want, a+b)
				}
			}
			// Two loud sources clip at full scale instead of wrapping to
			// the opposite sign.
			m.Push(Caller, c, constFrame(c, 30000))
			m.Push(Agent, c, constFrame(c, 30000))
			m.Pop(Supervisor, &frame, c)
			if got := c.LinearTable()[frame[0]]; got != c.LinearTable()[encodeCode(c, 32767)] {
				t.Fatalf("30000+30000 mixed to %d", got)
			}
			m.Push(Caller, c, constFrame(c, -30000))
			m.Push(Agent, c, constFrame(c, -30000))
			m.Pop(Supervisor, &frame, c)
			if got := c.LinearTable()[frame[0]]; got != c.LinearTable()[encodeCode(c, -32768)] {
				t.Fatalf("-30000-30000 mixed to %d", got)
			}
			// Nobody spoke: no frame, the stream sends silence.
			if m.Pop(Supervisor, &frame, c) {
				t.Fatal("a frame out of empty rings")
			}
		})
	}
}

// encodeCode encodes one sample in c's law through Codec.Encode.
func encodeCode(c rtpcodec.Codec, v int16) byte {
	var b [1]byte
	c.Encode(b[:], []int16{v})
	return b[0]
}

func constFrame(c rtpcodec.Codec, v int16) []byte {
	pcm := make([]int16, rtpcodec.FrameSamples)
	for i := range pcm {
		pcm[i] = v
	}
	out := make([]byte, rtpcodec.FrameSamples)
	c.Encode(out, pcm)
	return out
}

func TestMixerEncodeTablesMatchTheQuantisers(t *testing.T) {
	for v := -32768; v <= 32767; v++ {
		s := int16(v)
		if got, want := ulawEncodeTable[uint16(s)>>2], rtpcodec.LinearToUlaw(s); got != want {
			t.Fatalf("µ-law %d: table %#x, quantiser %#x", v, got, want)
		}
		if got, want := alawEncodeTable[uint16(s)>>4], rtpcodec.LinearToAlaw(s); got != want {
			t.Fatalf("A-law %d: table %#x, quantiser %#x", v, got, want)
		}
	}
}

func TestMixerRingsRechunkAndBoundDelay(t *testing.T) {
	var m Mixer
	m.Init(Listen, false)
	var frame [rtpcodec.FrameSamples]byte
	// 10 ms packets make a frame per two.
	m.Push(Caller, rtpcodec.PCMU, constFrame(rtpcodec.PCMU, 1000)[:80])
	if m.Pop(Supervisor, &frame, rtpcodec.PCMU) {
		t.Fatal("a frame out of 10 ms of audio")
	}
	m.Push(Caller, rtpcodec.PCMU, constFrame(rtpcodec.PCMU, 1000)[:80])
	if !m.Pop(Supervisor, &frame, rtpcodec.PCMU) {
		t.Fatal("two 10 ms packets made no frame")
	}
	// A burst longer than the ring keeps only the newest audio.
	for range relayFrames + 4 {
		m.Push(Caller, rtpcodec.PCMU, constFrame(rtpcodec.PCMU, 1000))
	}
	if got := m.rings[Supervisor][Caller].size; got != mixRingSamples {
		t.Fatalf("ring holds %d samples after a burst, want %d", got, mixRingSamples)
	}
	// A standing delay is trimmed back to two frames within a window.
	for range 2 * mixTrimWindow { // the first window saw the short ring above
		m.Push(Caller, rtpcodec.PCMU, constFrame(rtpcodec.PCMU, 1000))
		m.Pop(Supervisor, &frame, rtpcodec.PCMU)
	}
	if got := m.rings[Supervisor][Caller].size; got > mixKeepSamples {
		t.Fatalf("ring holds %d samples after trimming, want at most %d", got, mixKeepSamples)
	}
}

// BenchmarkMix3 is one 20 ms tick of a three-way (barge) call: a frame
// from each party into the mixer, then a mixed frame out for each.
func BenchmarkMix3(b *testing.B) {
	var m Mixer
	m.Init(Barge, false)
	frames := [Parties][]byte{mediatest.PartyFrame(mediatest.CallerHz, rtpcodec.PCMU), mediatest.PartyFrame(mediatest.AgentHz, rtpcodec.PCMA), mediatest.PartyFrame(mediatest.SupervisorHz, rtpcodec.PCMU)}
	codecs := [Parties]rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA, rtpcodec.PCMU}
	var out [rtpcodec.FrameSamples]byte
	b.ReportAllocs()
	for b.Loop() {
		for p := range Parties {
			m.Push(p, codecs[p], frames[p])
		}
		for p := range Parties {
			if !m.Pop(p, &out, codecs[p]) {
				b.Fatalf("party %d: no frame", p)
			}
		}
	}
}
