package resample

import "math"

// Resampling by a factor of two each way, with one half-band low-pass filter:
// a windowed sinc whose every other tap is zero, so each output sample
// costs halfBandTaps multiplications. Both directions keep the history of
// their input across calls, so a stream is filtered as one signal however
// it is cut into frames, and neither allocates.
const (
	// halfBandTaps non-zero taps on each side of the centre (63 taps in
	// all). With the Kaiser window below the filter passes 0–3.4 kHz
	// within about 0.1 dB and stops 4.6 kHz and up by about 60 dB: the
	// telephone band survives and the images of up-sampling do not.
	halfBandTaps = 16
	kaiserBeta   = 6.0
	// UpDelay is how many input samples the Upsampler's output lags its
	// input; DownDelay how many output samples the Downsampler's does.
	UpDelay   = halfBandTaps
	DownDelay = halfBandTaps - 1
	// resampleShift is the fixed-point scale of the taps (Q15).
	resampleShift = 15
)

// halfBand holds the filter's taps at offsets ±1, ±3, … ±(2·halfBandTaps−1)
// from the centre, in Q15; the centre tap is one half.
var halfBand = designHalfBand()

func designHalfBand() [halfBandTaps]int32 {
	var taps [halfBandTaps]int32
	half := float64(2 * halfBandTaps) // the window reaches zero just past the last tap
	for j := range taps {
		n := float64(2*j + 1)
		sinc := math.Sin(math.Pi*n/2) / (math.Pi * n)
		r := n / half
		window := besselI0(kaiserBeta*math.Sqrt(1-r*r)) / besselI0(kaiserBeta)
		taps[j] = int32(math.Round(sinc * window * (1 << resampleShift)))
	}
	return taps
}

// besselI0 is the modified Bessel function of the first kind, order 0, by
// its power series (it converges fast for the arguments a window uses).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50 && term > 1e-12*sum; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
	}
	return sum
}

func saturate16(v int32) int16 { return int16(min(max(v, -32768), 32767)) }

// Upsampler doubles the sample rate. The zero value is ready; it is not
// safe for concurrent use. Each input sample is output as it
// is, followed by the filter's estimate of the sample halfway to the
// next: the output lags the input by halfBandTaps input samples.
type Upsampler struct {
	// The last 2·halfBandTaps inputs, stored twice so that the newest
	// window is always contiguous.
	hist [4 * halfBandTaps]int16
	pos  int
}

// Process writes 2·len(src) samples to dst.
func (u *Upsampler) Process(dst, src []int16) {
	const span = 2 * halfBandTaps
	dst = dst[:2*len(src)]
	for i, x := range src {
		u.hist[u.pos], u.hist[u.pos+span] = x, x
		u.pos++
		if u.pos == span {
			u.pos = 0
		}
		w := (*[span]int16)(u.hist[u.pos : u.pos+span]) // oldest first
		// Zero-stuffing doubles the count and halves the level, so the
		// odd taps count twice: 2·h in Q15 is h in Q14.
		acc := int32(1) << (resampleShift - 2)
		for j, c := range halfBand {
			acc += c * (int32(w[halfBandTaps-1-j]) + int32(w[halfBandTaps+j]))
		}
		dst[2*i] = w[halfBandTaps-1]
		dst[2*i+1] = saturate16(acc >> (resampleShift - 1))
	}
}

// Downsampler halves the sample rate (the zero value is ready; not safe
// for concurrent use): it low-passes the input and keeps
// every other sample. The output lags by halfBandTaps−1 output samples.
type Downsampler struct {
	// The last 4·halfBandTaps inputs, stored twice (see upsampler).
	hist [8 * halfBandTaps]int16
	pos  int
}

// Process writes len(src)/2 samples to dst; src must be of even length.
func (d *Downsampler) Process(dst, src []int16) {
	const span = 4 * halfBandTaps
	// The centre is an even sample of the input (counting from the
	// first), so the output keeps the input's own sampling instants.
	const centre = 2 * halfBandTaps
	dst = dst[:len(src)/2]
	for i := range dst {
		a, b := src[2*i], src[2*i+1]
		d.hist[d.pos], d.hist[d.pos+1] = a, b
		d.hist[d.pos+span], d.hist[d.pos+span+1] = a, b
		d.pos += 2
		if d.pos == span {
			d.pos = 0
		}
		w := (*[span]int16)(d.hist[d.pos : d.pos+span])
		acc := int32(w[centre])<<(resampleShift-1) + 1<<(resampleShift-1)
		for j, c := range halfBand {
			acc += c * (int32(w[centre-1-2*j]) + int32(w[centre+1+2*j]))
		}
		dst[i] = saturate16(acc >> resampleShift)
	}
}
