package g722

import (
	"bytes"
	"math"
	"math/bits"
	"testing"
)

// Chunks of any size, odd ones included, give the same octets as one call.
func TestEncodeChunkingDoesNotMatter(t *testing.T) {
	pcm := readPCM(t, "input.s16")[:4000]
	whole := make([]byte, len(pcm)/2)
	NewEncoder().Encode(whole, pcm)
	for _, chunk := range []int{1, 3, 7, 160, 321} {
		enc := NewEncoder()
		out := make([]byte, 0, len(whole))
		buf := make([]byte, chunk/2+1)
		for off := 0; off < len(pcm); off += chunk {
			n := enc.Encode(buf, pcm[off:min(off+chunk, len(pcm))])
			out = append(out, buf[:n]...)
		}
		if !bytes.Equal(out, whole) {
			t.Fatalf("chunks of %d: %d octets differ", chunk, countDiff(out, whole))
		}
	}
}

func TestResetStartsOver(t *testing.T) {
	pcm := readPCM(t, "input.s16")[:FrameSamples]
	enc := NewEncoder()
	first := make([]byte, FrameBytes)
	enc.Encode(first, pcm)
	enc.Reset()
	again := make([]byte, FrameBytes)
	enc.Encode(again, pcm)
	if !bytes.Equal(first, again) {
		t.Fatal("Reset did not restore the initial state")
	}
	var zero Encoder // the zero value resets itself on first use
	zero.Encode(again, pcm)
	if !bytes.Equal(first, again) {
		t.Fatal("zero Encoder differs from NewEncoder")
	}
	var zd Decoder
	a, b := make([]int16, FrameSamples), make([]int16, FrameSamples)
	zd.Decode(a, first)
	NewDecoder().Decode(b, first)
	if countDiff(a, b) != 0 {
		t.Fatal("zero Decoder differs from NewDecoder")
	}
}

// A tone in either band survives a round trip: after the filters' delay
// the output follows the input closely.
func TestRoundTripKeepsTones(t *testing.T) {
	for _, freq := range []float64{300, 1000, 3400, 6000} {
		const n = 8000
		pcm := make([]int16, n)
		for i := range pcm {
			pcm[i] = int16(10000 * math.Sin(2*math.Pi*freq*float64(i)/SampleRate))
		}
		coded := make([]byte, n/2)
		NewEncoder().Encode(coded, pcm)
		out := make([]int16, n)
		NewDecoder().Decode(out, coded)
		// The two QMFs delay the signal by 22 samples; skip the start-up.
		const delay, settle = 22, 1600
		var sig, noise float64
		for i := settle; i < n; i++ {
			want := float64(pcm[i-delay])
			diff := float64(out[i]) - want
			sig += want * want
			noise += diff * diff
		}
		snr := 10 * math.Log10(sig/noise)
		if snr < 20 {
			t.Errorf("%.0f Hz: SNR %.1f dB, want at least 20", freq, snr)
		}
	}
}

// Silence in gives silence out, and the codes for it settle.
func TestSilence(t *testing.T) {
	pcm := make([]int16, 2*FrameSamples)
	coded := make([]byte, 2*FrameBytes)
	NewEncoder().Encode(coded, pcm)
	out := make([]int16, len(pcm))
	NewDecoder().Decode(out, coded)
	for i, v := range out {
		if v > 8 || v < -8 {
			t.Fatalf("sample %d of silence decoded as %d", i, v)
		}
	}
}

// Any octet stream decodes without panicking and within range.
func FuzzDecode(f *testing.F) {
	f.Add(readBytes(f, "ffmpeg.g722")[:FrameBytes])
	f.Add(bytes.Repeat([]byte{0xFF}, FrameBytes))
	f.Add(bytes.Repeat([]byte{0x00}, FrameBytes))
	f.Fuzz(func(t *testing.T, src []byte) {
		out := make([]int16, 2*len(src))
		if n := NewDecoder().Decode(out, src); n != len(out) {
			t.Fatalf("decoded %d samples from %d octets", n, len(src))
		}
	})
}

// Any PCM encodes, and its decoding stays within range.
func FuzzEncode(f *testing.F) {
	f.Add([]byte{0xFF, 0x7F, 0x00, 0x80, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, raw []byte) {
		pcm := make([]int16, len(raw)/2)
		for i := range pcm {
			pcm[i] = int16(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
		}
		coded := make([]byte, len(pcm)/2)
		NewEncoder().Encode(coded, pcm)
		NewDecoder().Decode(make([]int16, 2*len(coded)), coded)
	})
}

// The written-out filter is the table of taps.
func TestFilterMatchesTaps(t *testing.T) {
	var w [qmfTaps]int32
	for i := range w {
		w[i] = int32(i*7919%65536 - 32768)
	}
	var even, odd int32
	for i := range 12 {
		even += w[2*i] * qmfCoeffs[i]
		odd += w[2*i+1] * qmfCoeffs[11-i]
	}
	if e, o := filter(&w); e != even || o != odd {
		t.Fatalf("filter = %d, %d; taps give %d, %d", e, o, even, odd)
	}
}

// The tabulated inverse divides exactly, for every step size the lower
// band can have and every magnitude the quantiser can see.
func TestLowStepInverseIsExact(t *testing.T) {
	if lowDet[0] != lowInitialDet || highDet[0] != highInitialDet {
		t.Fatalf("step sizes at reset %d, %d, want %d, %d", lowDet[0], highDet[0], lowInitialDet, highInitialDet)
	}
	for k := range highMaxNB>>6 + 1 {
		if highDet[k] != stepSize(int32(k)<<6, 10) || highDet[k] != stepSize(int32(k)<<6|63, 10) {
			t.Fatalf("higher band, nb>>6 = %d: tabulated step %d", k, highDet[k])
		}
	}
	for k := range lowMaxNB>>6 + 1 {
		det := lowDet[k]
		if det != stepSize(int32(k)<<6, 8) || det != stepSize(int32(k)<<6|63, 8) {
			t.Fatalf("nb>>6 = %d: tabulated step %d", k, det)
		}
		for wd := int32(0); wd <= 32767; wd++ {
			x := uint64((wd+1)<<12 - 1)
			hi, lo := bits.Mul64(x, lowInv[k])
			if got, want := hi<<(64-invShift)|lo>>invShift, x/uint64(det); got != want {
				t.Fatalf("det %d, wd %d: %d, want %d", det, wd, got, want)
			}
		}
	}
}
