package rtpaudio

import (
	"math"
	"testing"
)

func TestG711KnownCodes(t *testing.T) {
	cases := []struct {
		name  string
		table *[256]int16
		code  byte
		want  int16
	}{
		{"ulaw zero", &ulawToLinear, 0xFF, 0},
		{"ulaw negative zero", &ulawToLinear, 0x7F, 0},
		{"ulaw max", &ulawToLinear, 0x80, 32124},
		{"ulaw min", &ulawToLinear, 0x00, -32124},
		{"ulaw smallest step", &ulawToLinear, 0xFE, 8},
		{"alaw near zero", &alawToLinear, 0xD5, 8},
		{"alaw negative near zero", &alawToLinear, 0x55, -8},
		{"alaw max", &alawToLinear, 0xAA, 32256},
		{"alaw min", &alawToLinear, 0x2A, -32256},
	}
	for _, tc := range cases {
		if got := tc.table[tc.code]; got != tc.want {
			t.Errorf("%s: decode(%#02x) = %d, want %d", tc.name, tc.code, got, tc.want)
		}
	}
	if encodeULaw(0) != 0xFF || encodeALaw(0) != 0xD5 {
		t.Errorf("encode(0) = %#02x / %#02x, want the silence codes", encodeULaw(0), encodeALaw(0))
	}
}

// Every code must survive decode → encode unchanged (except µ-law's
// duplicate zero), which pins encoder and decoder to the same segments.
func TestG711CodesRoundTrip(t *testing.T) {
	for code := range 256 {
		b := byte(code)
		if got := encodeULaw(ulawToLinear[b]); got != b && b != 0x7F {
			t.Errorf("ulaw %#02x → %d → %#02x", b, ulawToLinear[b], got)
		}
		if got := encodeALaw(alawToLinear[b]); got != b {
			t.Errorf("alaw %#02x → %d → %#02x", b, alawToLinear[b], got)
		}
	}
}

// Quantisation error stays within G.711's relative step size (about 1/16
// of the magnitude, plus the smallest absolute step).
func TestG711QuantisationErrorIsBounded(t *testing.T) {
	for sample := math.MinInt16; sample <= math.MaxInt16; sample += 7 {
		s := int16(sample)
		limit := math.Abs(float64(s))/16 + 40
		if got := float64(ulawToLinear[encodeULaw(s)]); math.Abs(got-float64(s)) > limit {
			t.Fatalf("ulaw(%d) decodes to %v", s, got)
		}
		if got := float64(alawToLinear[encodeALaw(s)]); math.Abs(got-float64(s)) > limit {
			t.Fatalf("alaw(%d) decodes to %v", s, got)
		}
	}
}

func TestSilenceBytesAreBelowTheLoudnessThreshold(t *testing.T) {
	for _, pt := range []uint8{PayloadTypePCMU, PayloadTypePCMA} {
		frame := make([]byte, SamplesPerFrame)
		for i := range frame {
			frame[i] = silenceByte(pt)
		}
		if got := MeanAbsolute(Decoder(pt), frame); got > NonSilentMeanAmplitude {
			t.Errorf("PT %d silence has mean amplitude %d", pt, got)
		}
	}
	if Decoder(18) != nil {
		t.Error("Decoder(G729) should be nil")
	}
}
