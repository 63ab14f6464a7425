package media

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wav"
)

// Audio checks shared by the bridge, monitor and recording tests; the
// record package has its own copy for its tests.

// goertzel returns the power of pcm at hz, normalised by length.
func goertzel(pcm []int16, hz float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*hz/rtpcodec.ClockRate)
	var s1, s2 float64
	for _, v := range pcm {
		s0 := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return (s1*s1 + s2*s2 - coeff*s1*s2) / float64(len(pcm)*len(pcm))
}

// zeroCrossingHz estimates the frequency of a pure tone.
func zeroCrossingHz(pcm []int16) float64 {
	crossings := 0
	for i := 1; i < len(pcm); i++ {
		if (pcm[i-1] < 0) != (pcm[i] < 0) {
			crossings++
		}
	}
	return float64(crossings) / 2 / (float64(len(pcm)) / rtpcodec.ClockRate)
}

// assertTone checks that pcm is mostly a tone at want, not at other.
func assertTone(t *testing.T, what string, pcm []int16, want, other float64) {
	t.Helper()
	if len(pcm) < rtpcodec.FrameSamples {
		t.Fatalf("%s: only %d samples", what, len(pcm))
	}
	pWant, pOther := goertzel(pcm, want), goertzel(pcm, other)
	if pWant < 100*pOther {
		t.Errorf("%s: power at %v Hz %.0f, at %v Hz %.0f", what, want, pWant, other, pOther)
	}
	if hz := zeroCrossingHz(pcm); math.Abs(hz-want) > want/10 {
		t.Errorf("%s: tone at about %.0f Hz, want %v Hz", what, hz, want)
	}
}

// parseStereoWAV checks the header a recording writes and splits the
// channels.
func parseStereoWAV(t *testing.T, data []byte, wantSizes bool) (left, right []int16) {
	t.Helper()
	if len(data) < wavHeaderSize || string(data[0:4]) != "RIFF" || string(data[8:16]) != "WAVEfmt " || string(data[36:40]) != "data" {
		t.Fatalf("not a canonical WAV header: %q", data[:min(len(data), wavHeaderSize)])
	}
	le := binary.LittleEndian
	if le.Uint16(data[20:]) != wav.FormatPCM || le.Uint16(data[22:]) != 2 || le.Uint32(data[24:]) != 8000 ||
		le.Uint32(data[28:]) != 32000 || le.Uint16(data[32:]) != 4 || le.Uint16(data[34:]) != 16 {
		t.Fatalf("format chunk %x", data[20:36])
	}
	samples := data[wavHeaderSize:]
	riff, size := le.Uint32(data[4:]), le.Uint32(data[40:])
	if wantSizes && (int(size) != len(samples) || riff != size+36) {
		t.Fatalf("sizes RIFF %d data %d for %d bytes of samples", riff, size, len(samples))
	}
	if !wantSizes && (size != wavUnknownSize || riff != wavUnknownSize) {
		t.Fatalf("sizes RIFF %d data %d, want unknown", riff, size)
	}
	if len(samples)%4 != 0 {
		t.Fatalf("%d bytes of samples is not whole stereo frames", len(samples))
	}
	for i := 0; i < len(samples); i += 4 {
		left = append(left, int16(le.Uint16(samples[i:])))
		right = append(right, int16(le.Uint16(samples[i+2:])))
	}
	return left, right
}

// wavHeaderSize is the canonical 44-byte header a recording starts with.
const (
	wavHeaderSize  = 44
	wavUnknownSize = 0xFFFFFFFF // the size fields of a recording to a stream
)

var errDiskFull = errors.New("disk full")

type failingWriter struct{ after int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.after -= len(b); w.after < 0 {
		return 0, errDiskFull
	}
	return len(b), nil
}

// tone is a sine wave at hz, amplitude peak, d long, at 8 kHz.
func tone(hz float64, amplitude int16, d time.Duration) []int16 {
	n := int(d.Seconds() * rtpcodec.ClockRate)
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(float64(amplitude) * math.Sin(2*math.Pi*hz*float64(i)/rtpcodec.ClockRate))
	}
	return out
}
