// Package audiotest holds the audio checks the media tests share: the
// power of a tone (Goertzel), a tone's frequency by zero crossings, and
// the canonical stereo WAV a recording writes; and a tone as a WAV file,
// the upload of the self-service tests.
//
// It is for tests only: nothing in the server imports it.
package audiotest

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wav"
)

// The canonical 44-byte header a recording starts with, and the value of
// its size fields when the recording went to a stream that cannot seek.
const (
	WAVHeaderSize  = 44
	WAVUnknownSize = 0xFFFFFFFF
)

// Goertzel returns the power of pcm at hz, normalised by length.
func Goertzel(pcm []int16, hz float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*hz/rtpcodec.ClockRate)
	var s1, s2 float64
	for _, v := range pcm {
		s0 := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return (s1*s1 + s2*s2 - coeff*s1*s2) / float64(len(pcm)*len(pcm))
}

// ZeroCrossingHz estimates the frequency of a pure tone.
func ZeroCrossingHz(pcm []int16) float64 {
	crossings := 0
	for i := 1; i < len(pcm); i++ {
		if (pcm[i-1] < 0) != (pcm[i] < 0) {
			crossings++
		}
	}
	return float64(crossings) / 2 / (float64(len(pcm)) / rtpcodec.ClockRate)
}

// AssertTone checks that pcm is mostly a tone at want, not at other.
func AssertTone(t testing.TB, what string, pcm []int16, want, other float64) {
	t.Helper()
	if len(pcm) < rtpcodec.FrameSamples {
		t.Fatalf("%s: only %d samples", what, len(pcm))
	}
	pWant, pOther := Goertzel(pcm, want), Goertzel(pcm, other)
	if pWant < 100*pOther {
		t.Errorf("%s: power at %v Hz %.0f, at %v Hz %.0f", what, want, pWant, other, pOther)
	}
	if hz := ZeroCrossingHz(pcm); math.Abs(hz-want) > want/10 {
		t.Errorf("%s: tone at about %.0f Hz, want %v Hz", what, hz, want)
	}
}

// ParseStereoWAV checks the header a recording writes and splits the
// channels. wantSizes: the size fields hold the real sizes (a file),
// else the unknown size (a stream).
func ParseStereoWAV(t testing.TB, data []byte, wantSizes bool) (left, right []int16) {
	t.Helper()
	if len(data) < WAVHeaderSize || string(data[0:4]) != "RIFF" || string(data[8:16]) != "WAVEfmt " || string(data[36:40]) != "data" {
		t.Fatalf("not a canonical WAV header: %q", data[:min(len(data), WAVHeaderSize)])
	}
	le := binary.LittleEndian
	if le.Uint16(data[20:]) != wav.FormatPCM || le.Uint16(data[22:]) != 2 || le.Uint32(data[24:]) != 8000 ||
		le.Uint32(data[28:]) != 32000 || le.Uint16(data[32:]) != 4 || le.Uint16(data[34:]) != 16 {
		t.Fatalf("format chunk %x", data[20:36])
	}
	samples := data[WAVHeaderSize:]
	riff, size := le.Uint32(data[4:]), le.Uint32(data[40:])
	if wantSizes && (int(size) != len(samples) || riff != size+36) {
		t.Fatalf("sizes RIFF %d data %d for %d bytes of samples", riff, size, len(samples))
	}
	if !wantSizes && (size != WAVUnknownSize || riff != WAVUnknownSize) {
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

// ToneWAV is d of a 440 Hz tone as a mono WAV file at rate, so an upload
// at another rate than 8 kHz must be resampled.
func ToneWAV(t testing.TB, rate int, d time.Duration) []byte {
	t.Helper()
	pcm := make([]int16, int(d.Seconds()*float64(rate)))
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	var buf bytes.Buffer
	if err := wav.Encode(&buf, pcm, rate, 1); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
