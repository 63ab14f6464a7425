package resample

import (
	"math"
	"testing"
)

// frame is 20 ms at 8 kHz.
const frame = 160

func sine(n int, freq, rate, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/rate))
	}
	return out
}

// snr compares got against want delayed by lag, after the filters settle.
func snr(got, want []int16, lag, skip int) float64 {
	var sig, noise float64
	for i := skip; i < len(got); i++ {
		w := float64(want[i-lag])
		d := float64(got[i]) - w
		sig += w * w
		noise += d * d
	}
	return 10 * math.Log10(sig/max(noise, 1e-9))
}

func rms(x []int16) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(x)))
}

func TestUpsampleTelephoneBand(t *testing.T) {
	for _, freq := range []float64{300, 1000, 3000} {
		in := sine(1600, freq, 8000, 12000)
		want := sine(3200, freq, 16000, 12000)
		var u Upsampler
		out := make([]int16, 3200)
		for off := 0; off < len(in); off += frame { // frame by frame
			u.Process(out[2*off:], in[off:off+frame])
		}
		if got := snr(out, want, 2*halfBandTaps, 400); got < 40 {
			t.Errorf("%.0f Hz: SNR %.1f dB after up-sampling, want 40", freq, got)
		}
	}
}

func TestDownsampleKeepsBandAndStopsAliases(t *testing.T) {
	for _, freq := range []float64{300, 1000, 3000} {
		in := sine(3200, freq, 16000, 12000)
		want := sine(1600, freq, 8000, 12000)
		var d Downsampler
		out := make([]int16, 1600)
		for off := 0; off < len(in); off += 2 * frame {
			d.Process(out[off/2:], in[off:off+2*frame])
		}
		if got := snr(out, want, halfBandTaps-1, 200); got < 40 {
			t.Errorf("%.0f Hz: SNR %.1f dB after down-sampling, want 40", freq, got)
		}
	}
	// 5 and 6 kHz would fold to 3 and 2 kHz: they must be stopped.
	for _, freq := range []float64{5000, 6000, 7500} {
		in := sine(3200, freq, 16000, 12000)
		var d Downsampler
		out := make([]int16, 1600)
		d.Process(out, in)
		if level := rms(out[200:]) / rms(in); level > 0.003 {
			t.Errorf("%.0f Hz leaks at %.1f dB", freq, 20*math.Log10(level))
		}
	}
}

func TestResampleFullScaleDoesNotWrap(t *testing.T) {
	in := make([]int16, 320)
	for i := range in {
		in[i] = 32767
		if i/3%2 == 1 {
			in[i] = -32768
		}
	}
	var u Upsampler
	up := make([]int16, 640)
	u.Process(up, in)
	var d Downsampler
	down := make([]int16, 320)
	d.Process(down, up)
	// Saturation may clip, but a wrap-around would flip signs: the
	// down-sampled square keeps following the input's sign.
	for i := 64; i < 320; i++ {
		want := in[i-2*halfBandTaps+1]
		if (want > 0) != (down[i] > -20000) && (want < 0) != (down[i] < 20000) {
			t.Fatalf("sample %d: %d for an input of %d", i, down[i], want)
		}
	}
}

func BenchmarkResampleFrame(b *testing.B) {
	in := sine(frame, 1000, 8000, 12000)
	up := make([]int16, 2*frame)
	down := make([]int16, frame)
	var u Upsampler
	var d Downsampler
	b.ReportAllocs()
	for b.Loop() {
		u.Process(up, in)
		d.Process(down, up)
	}
}
