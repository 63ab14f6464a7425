package g722

import (
	"math/bits"
	"time"
)

// Framing of G.722 on RTP (RFC 3551 §4.5.2).
const (
	SampleRate = 16000 // audio samples per second
	// RTPClockRate is the RTP timestamp rate, kept at 8000 Hz for G.722 by
	// an error in RFC 1890 that RFC 3551 preserved.
	RTPClockRate  = 8000
	PayloadType   = 9 // static RTP payload type
	FrameDuration = 20 * time.Millisecond
	FrameSamples  = SampleRate / 50 // 320 samples per 20 ms
	FrameBytes    = FrameSamples / 2
)

// qmfTaps is the length of the quadrature mirror filters.
const qmfTaps = 24

// qmfHistory holds the filter's input twice over: every value is written
// at i and at i+qmfTaps, so the last qmfTaps values are always contiguous
// and nothing has to be shifted per sample.
type qmfHistory struct {
	x   [2 * qmfTaps]int32
	pos int // where the next pair goes, even, 0..qmfTaps-2
}

// push appends a pair and returns the window of the last qmfTaps values,
// oldest first.
func (h *qmfHistory) push(first, second int32) *[qmfTaps]int32 {
	h.x[h.pos], h.x[h.pos+1] = first, second
	h.x[h.pos+qmfTaps], h.x[h.pos+qmfTaps+1] = first, second
	h.pos += 2
	if h.pos == qmfTaps {
		h.pos = 0
	}
	return (*[qmfTaps]int32)(h.x[h.pos : h.pos+qmfTaps])
}

// filter applies the even taps to the even positions and the odd taps
// (the even ones reversed) to the odd positions of the window. Written out
// with the taps as constants: it runs once per octet in both directions.
func filter(w *[qmfTaps]int32) (even, odd int32) {
	even = 3*w[0] - 11*w[2] + 12*w[4] + 32*w[6] - 210*w[8] + 951*w[10] +
		3876*w[12] - 805*w[14] + 362*w[16] - 156*w[18] + 53*w[20] - 11*w[22]
	odd = -11*w[1] + 53*w[3] - 156*w[5] + 362*w[7] - 805*w[9] + 3876*w[11] +
		951*w[13] - 210*w[15] + 32*w[17] + 12*w[19] - 11*w[21] + 3*w[23]
	return even, odd
}

// Encoder turns 16 kHz PCM into G.722 octets. Make one with NewEncoder per
// stream; the zero value is not ready.
type Encoder struct {
	qmf        qmfHistory
	low, high  band
	ready      bool
	pendingOdd bool  // an odd sample is waiting for its pair
	pending    int16 // that sample
}

// NewEncoder returns an encoder in the reset state.
func NewEncoder() *Encoder {
	e := &Encoder{}
	e.Reset()
	return e
}

// Reset returns the encoder to its initial state, for a new stream.
func (e *Encoder) Reset() {
	*e = Encoder{ready: true}
	e.low.setLowStep()
	e.high.det = highInitialDet
}

// Encode encodes pcm (16 kHz, 16-bit) into dst, one octet per two
// samples, and returns the octets written. dst must hold len(pcm)/2
// octets; an odd last sample is kept for the next call. It does not
// allocate.
func (e *Encoder) Encode(dst []byte, pcm []int16) int {
	if !e.ready {
		e.Reset()
	}
	n := 0
	if e.pendingOdd && len(pcm) > 0 {
		dst[n] = e.encodePair(e.pending, pcm[0])
		n++
		pcm = pcm[1:]
		e.pendingOdd = false
	}
	pairs := len(pcm) / 2
	dst = dst[:n+pairs] // one bounds check for the loop
	for i := range pairs {
		dst[n+i] = e.encodePair(pcm[2*i], pcm[2*i+1])
	}
	if len(pcm)%2 == 1 {
		e.pending, e.pendingOdd = pcm[len(pcm)-1], true
	}
	return n + pairs
}

func (e *Encoder) encodePair(x0, x1 int16) byte {
	even, odd := filter(e.qmf.push(int32(x0), int32(x1)))
	xl := (odd + even) >> 14
	xh := (odd - even) >> 14
	return e.high.encodeHigh(xh)<<6 | e.low.encodeLow(xl)
}

// encodeLow quantises the lower band's sample to 6 bits (QUANTL) and
// adapts the band as the decoder will.
func (b *band) encodeLow(xl int32) byte {
	el := sat16(xl - b.s)
	wd := onesMagnitude(el)
	// The interval is the first i with wd < (q6[i]*det)>>12, or 30. That
	// holds exactly when q6[i] > v = (((wd+1)<<12)-1)/det, so one division
	// and a table replace a search of up to 29 multiplications; the
	// division is a multiplication by det's tabulated inverse.
	hi, lo := bits.Mul64(uint64((wd+1)<<12-1), b.inv)
	i := uint64(30)
	if v := hi<<(64-invShift) | lo>>invShift; v < uint64(len(lowInterval)) {
		i = uint64(lowInterval[v])
	}
	code := ilp[i&31]
	if el < 0 {
		code = iln[i&31]
	}
	ril := int32(code >> 2)
	dq := (b.det * qm4[ril&15]) >> 15
	b.adaptLow(ril)
	b.predict(dq)
	return code
}

// encodeHigh quantises the higher band's sample to 2 bits (QUANTH) and
// adapts the band.
func (b *band) encodeHigh(xh int32) byte {
	eh := sat16(xh - b.s)
	mih := 1
	if onesMagnitude(eh) >= (564*b.det)>>12 {
		mih = 2
	}
	code := ihp[mih&3]
	if eh < 0 {
		code = ihn[mih&3]
	}
	dq := (b.det * qm2[code&3]) >> 15
	b.adaptHigh(int32(code))
	b.predict(dq)
	return code
}

// Decoder turns G.722 octets into 16 kHz PCM. Make one with NewDecoder per
// stream; the zero value is not ready.
type Decoder struct {
	qmf       qmfHistory
	low, high band
	ready     bool
}

// NewDecoder returns a decoder in the reset state.
func NewDecoder() *Decoder {
	d := &Decoder{}
	d.Reset()
	return d
}

// Reset returns the decoder to its initial state, for a new stream.
func (d *Decoder) Reset() {
	*d = Decoder{ready: true}
	d.low.setLowStep()
	d.high.det = highInitialDet
}

// Decode decodes src into dst, two samples per octet, and returns the
// samples written. dst must hold 2*len(src) samples. It does not allocate.
func (d *Decoder) Decode(dst []int16, src []byte) int {
	if !d.ready {
		d.Reset()
	}
	dst = dst[:2*len(src)]
	for i, code := range src {
		rl := d.low.decodeLow(int32(code & 0x3F))
		rh := d.high.decodeHigh(int32(code >> 6))
		even, odd := filter(d.qmf.push(rl+rh, rl-rh))
		dst[2*i] = int16(sat16(odd >> 11))
		dst[2*i+1] = int16(sat16(even >> 11))
	}
	return 2 * len(src)
}

// decodeLow reconstructs the lower band's sample from its 6-bit code
// (INVQBL) and adapts the band from the code's 4 most significant bits.
func (b *band) decodeLow(code int32) int32 {
	rl := clamp(b.s+(b.det*qm6[code&63])>>15, -16384, 16383)
	ril := (code >> 2) & 15
	dq := (b.det * qm4[ril]) >> 15
	b.adaptLow(ril)
	b.predict(dq)
	return rl
}

// decodeHigh reconstructs the higher band's sample (INVQAH) and adapts the
// band.
func (b *band) decodeHigh(code int32) int32 {
	dq := (b.det * qm2[code&3]) >> 15
	rh := clamp(b.s+dq, -16384, 16383)
	b.adaptHigh(code)
	b.predict(dq)
	return rh
}
