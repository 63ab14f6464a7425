package rtpcodec

import (
	"math"
	"testing"
)

func TestCodecBasics(t *testing.T) {
	cases := []struct {
		codec   Codec
		name    string
		pt      uint8
		silence byte
	}{
		{PCMU, "PCMU", 0, 0xFF},
		{PCMA, "PCMA", 8, 0xD5},
	}
	for _, tc := range cases {
		if got := tc.codec.String(); got != tc.name {
			t.Errorf("String() = %q, want %q", got, tc.name)
		}
		if got := tc.codec.PayloadType(); got != tc.pt {
			t.Errorf("%s PayloadType() = %d, want %d", tc.name, got, tc.pt)
		}
		if got := tc.codec.SilenceByte(); got != tc.silence {
			t.Errorf("%s SilenceByte() = %#x, want %#x", tc.name, got, tc.silence)
		}
		if !tc.codec.Valid() {
			t.Errorf("%s not Valid()", tc.name)
		}
	}
	if Codec(7).Valid() || Codec(7).String() != "unknown" {
		t.Error("Codec(7) should be invalid and unknown")
	}
	if FrameSamples != ClockRate*FrameDuration.Milliseconds()/1000 {
		t.Error("FrameSamples inconsistent with ClockRate and FrameDuration")
	}
}

// Reference points from ITU-T G.711 (µ-law Table 2a, A-law Table 1a) scaled
// to 16-bit samples: µ-law values ×4 (14-bit law), A-law values ×8 (13-bit).
func TestUlawReferenceValues(t *testing.T) {
	encode := []struct {
		in   int16
		want byte
	}{
		{0, 0xFF}, {-1, 0x7F}, // the two zeros
		{32767, 0x80}, {-32768, 0x00}, // full scale, clipped
		{32124, 0x80}, {-32124, 0x00},
		// Segment boundaries: decision values 31, 95, 223, 479, 991, 2015,
		// 4063 (14-bit) open segments 1..7.
		{123, 0xF0}, {124, 0xEF},
		{379, 0xE0}, {380, 0xDF},
		{891, 0xD0}, {892, 0xCF},
		{1915, 0xC0}, {1916, 0xBF},
		{3963, 0xB0}, {3964, 0xAF},
		{8059, 0xA0}, {8060, 0x9F},
		{16251, 0x90}, {16252, 0x8F},
		// Negative samples use the ones' complement magnitude, so their
		// boundaries sit one below the positive ones.
		{-124, 0x70}, {-125, 0x6F}, {-8061, 0x1F},
	}
	for _, tc := range encode {
		if got := LinearToUlaw(tc.in); got != tc.want {
			t.Errorf("LinearToUlaw(%d) = %#02x, want %#02x", tc.in, got, tc.want)
		}
	}
	decode := []struct {
		in   byte
		want int16
	}{
		{0xFF, 0}, {0x7F, 0}, {0x80, 32124}, {0x00, -32124},
		{0xFE, 8}, {0x7E, -8}, {0xEF, 132}, {0xF0, 120},
	}
	for _, tc := range decode {
		if got := UlawToLinear(tc.in); got != tc.want {
			t.Errorf("UlawToLinear(%#02x) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestAlawReferenceValues(t *testing.T) {
	encode := []struct {
		in   int16
		want byte
	}{
		{0, 0xD5}, {-1, 0x55},
		{32767, 0xAA}, {-32768, 0x2A},
		// Segment boundaries: 32, 64, 128 ... 2048 (13-bit units).
		{255, 0xDA}, {256, 0xC5},
		{511, 0xCA}, {512, 0xF5},
		{2047, 0xEA}, {2048, 0x95},
		{16383, 0xBA}, {16384, 0xA5},
		{-256, 0x5A}, {-257, 0x45},
	}
	for _, tc := range encode {
		if got := LinearToAlaw(tc.in); got != tc.want {
			t.Errorf("LinearToAlaw(%d) = %#02x, want %#02x", tc.in, got, tc.want)
		}
	}
	decode := []struct {
		in   byte
		want int16
	}{
		{0xD5, 8}, {0x55, -8}, {0xAA, 32256}, {0x2A, -32256},
		{0xC5, 264}, {0xDA, 248},
	}
	for _, tc := range decode {
		if got := AlawToLinear(tc.in); got != tc.want {
			t.Errorf("AlawToLinear(%#02x) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// Decoding then encoding every code word must give it back. The one
// exception is µ-law's negative zero (0x7F): it decodes to 0 like 0xFF,
// and 0 encodes to 0xFF.
func TestRoundTripAllCodeWords(t *testing.T) {
	for i := range 256 {
		code := byte(i)
		want := code
		if code == 0x7F {
			want = 0xFF
		}
		if got := LinearToUlaw(UlawToLinear(code)); got != want {
			t.Errorf("µ-law %#02x -> %d -> %#02x", code, UlawToLinear(code), got)
		}
		if got := LinearToAlaw(AlawToLinear(code)); got != code {
			t.Errorf("A-law %#02x -> %d -> %#02x", code, AlawToLinear(code), got)
		}
	}
}

// Both quantisers must be monotonic over the whole 16-bit range, and each
// decoded value must lie within half a step of the input.
func TestQuantisersMonotonic(t *testing.T) {
	prevU, prevA := UlawToLinear(LinearToUlaw(math.MinInt16)), AlawToLinear(LinearToAlaw(math.MinInt16))
	for v := math.MinInt16 + 1; v <= math.MaxInt16; v++ {
		u := UlawToLinear(LinearToUlaw(int16(v)))
		a := AlawToLinear(LinearToAlaw(int16(v)))
		if u < prevU || a < prevA {
			t.Fatalf("not monotonic at %d", v)
		}
		prevU, prevA = u, a
	}
}

// G.711 Table 3 (µ-law → A-law) and Table 4 (A-law → µ-law), written as
// magnitude indices: index = 7-bit value number of the input law,
// element = value number of the output law (A-law numbers here are the
// Table's numbers minus one). The sign is carried through unchanged.
var (
	g711Table3 = [128]uint8{
		0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
		8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
		24, 26, 28, 30, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
		45, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61,
		63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78,
		79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95,
		96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
		112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
	}
	g711Table4 = [128]uint8{
		1, 3, 5, 7, 9, 11, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23,
		24, 25, 26, 27, 28, 29, 30, 31, 32, 32, 33, 33, 34, 34, 35, 35,
		36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 48, 49, 49,
		50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 64,
		65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80,
		80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95,
		96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
		112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
	}
)

// ulawIndex and alawIndex turn a code word into (value number, negative).
func ulawIndex(code byte) (uint8, bool) {
	if code&0x80 != 0 {
		return 0xFF ^ code, false
	}
	return 0x7F ^ code, true
}

func alawIndex(code byte) (uint8, bool) {
	x := code ^ 0x55
	return x & 0x7F, x&0x80 == 0
}

func TestTranscodeMatchesG711Tables(t *testing.T) {
	for i := range 256 {
		code := byte(i)
		uIdx, uNeg := ulawIndex(code)
		aIdx, aNeg := alawIndex(UlawToAlaw(code))
		if aIdx != g711Table3[uIdx] || aNeg != uNeg {
			t.Errorf("UlawToAlaw(%#02x): value %d neg=%v, want %d neg=%v", code, aIdx, aNeg, g711Table3[uIdx], uNeg)
		}
		aIdx, aNeg = alawIndex(code)
		uIdx, uNeg = ulawIndex(AlawToUlaw(code))
		if uIdx != g711Table4[aIdx] || uNeg != aNeg {
			t.Errorf("AlawToUlaw(%#02x): value %d neg=%v, want %d neg=%v", code, uIdx, uNeg, g711Table4[aIdx], aNeg)
		}
	}
	if UlawToAlaw(UlawSilence) != AlawSilence || AlawToUlaw(AlawSilence) != 0xFE {
		t.Errorf("silence: µ→A %#02x, A→µ %#02x", UlawToAlaw(UlawSilence), AlawToUlaw(AlawSilence))
	}
}

// A double conversion (µ→A→µ or A→µ→A) may move a code word by at most
// one step, and the sign must survive.
func TestTranscodeDoubleConversionWithinOneStep(t *testing.T) {
	withinOne := func(a, b uint8, an, bn bool) bool {
		d := int(a) - int(b)
		return an == bn && d >= -1 && d <= 1
	}
	for i := range 256 {
		code := byte(i)
		ci, cn := ulawIndex(code)
		bi, bn := ulawIndex(AlawToUlaw(UlawToAlaw(code)))
		if !withinOne(ci, bi, cn, bn) {
			t.Errorf("µ %#02x -> A %#02x -> µ %#02x", code, UlawToAlaw(code), AlawToUlaw(UlawToAlaw(code)))
		}
		ci, cn = alawIndex(code)
		bi, bn = alawIndex(UlawToAlaw(AlawToUlaw(code)))
		if !withinOne(ci, bi, cn, bn) {
			t.Errorf("A %#02x -> µ %#02x -> A %#02x", code, AlawToUlaw(code), UlawToAlaw(AlawToUlaw(code)))
		}
	}
}

func TestSliceCodecs(t *testing.T) {
	pcm := []int16{0, 1000, -1000, 32767, -32768, 8}
	for _, c := range []Codec{PCMU, PCMA} {
		enc := make([]byte, len(pcm))
		c.Encode(enc, pcm)
		dec := make([]int16, len(enc))
		c.Decode(dec, enc)
		for i, v := range pcm {
			var single byte
			if c == PCMU {
				single = LinearToUlaw(v)
			} else {
				single = LinearToAlaw(v)
			}
			if enc[i] != single {
				t.Errorf("%s Encode[%d] = %#02x, want %#02x", c, i, enc[i], single)
			}
			if diff := math.Abs(float64(dec[i]) - float64(v)); diff > 1100 {
				t.Errorf("%s decode(encode(%d)) = %d", c, v, dec[i])
			}
		}
	}
}

func BenchmarkEncodeUlawFrame(b *testing.B) {
	pcm := make([]int16, FrameSamples)
	for i := range pcm {
		pcm[i] = int16(i * 97)
	}
	dst := make([]byte, FrameSamples)
	for b.Loop() {
		EncodeUlaw(dst, pcm)
	}
}
