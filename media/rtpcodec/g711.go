package rtpcodec

import (
	"math"
)

// Decoding and transcoding are table lookups; the tables are built once
// from the arithmetic definitions below so they cannot drift from them.
var (
	ulawToLinear [256]int16
	alawToLinear [256]int16
	ulawToAlaw   [256]byte
	alawToUlaw   [256]byte
	// Mean-absolute-amplitude tables for the cheap receive energy meter.
	ulawMagnitude [256]uint16
	alawMagnitude [256]uint16
)

func init() {
	for i := range 256 {
		ulawToLinear[i] = expandUlaw(byte(i))
		alawToLinear[i] = expandAlaw(byte(i))
		ulawMagnitude[i] = magnitude(ulawToLinear[i])
		alawMagnitude[i] = magnitude(alawToLinear[i])
	}
	buildTranscodeTables()
}

func magnitude(v int16) uint16 {
	if v < 0 {
		return uint16(-int32(v))
	}
	return uint16(v)
}

// LinearToUlaw encodes a 16-bit sample with the G.711 µ-law quantiser. The
// two least significant bits are below µ-law's 14-bit resolution.
func LinearToUlaw(sample int16) byte {
	// Ones' complement gives the magnitude of a negative sample without the
	// -32768 overflow and keeps the quantiser symmetric, as G.711 is.
	var sign byte // µ-law's sign bit is set for negative samples
	v := int32(sample)
	if v < 0 {
		v = ^v
		sign = 0x80
	}
	// Adding the bias (33 in 14-bit units) puts every segment boundary on a
	// power of two, so the segment is the position of the leading one bit.
	v = (v >> 2) + 33
	if v > 0x1FFF {
		v = 0x1FFF
	}
	segment := byte(0)
	for s := v >> 6; s != 0; s >>= 1 {
		segment++
	}
	step := (v >> (segment + 1)) & 0x0F
	// µ-law transmits every bit inverted.
	return ^(sign | segment<<4 | byte(step))
}

func expandUlaw(code byte) int16 {
	code = ^code
	segment := int32(code>>4) & 0x07
	step := int32(code) & 0x0F
	// Reconstruct the middle of the quantisation interval, then remove the
	// bias again (132 = 33 in 14-bit units, shifted to 16 bits).
	v := ((step<<3)+132)<<segment - 132
	if code&0x80 != 0 {
		return int16(-v)
	}
	return int16(v)
}

// UlawToLinear decodes a µ-law code word to a 16-bit sample.
func UlawToLinear(code byte) int16 { return ulawToLinear[code] }

// LinearToAlaw encodes a 16-bit sample with the G.711 A-law quantiser (13-bit
// resolution).
func LinearToAlaw(sample int16) byte {
	var sign byte = 0x80 // A-law's sign bit is set for positive samples
	v := int32(sample)
	if v < 0 {
		v = ^v
		sign = 0
	}
	v >>= 4 // A-law's finest step is 16 in 16-bit units
	var code byte
	if v < 16 {
		code = byte(v) // segment 0 is linear
	} else {
		segment := byte(1)
		for v >= 32 {
			v >>= 1
			segment++
		}
		code = segment<<4 | byte(v-16)
	}
	// A-law inverts the even bits (the "alternate digit inversion").
	return (sign | code) ^ 0x55
}

func expandAlaw(code byte) int16 {
	code ^= 0x55
	segment := int32(code>>4) & 0x07
	step := int32(code) & 0x0F
	var v int32
	if segment == 0 {
		v = step<<4 + 8
	} else {
		v = ((step+16)<<4 + 8) << (segment - 1)
	}
	if code&0x80 == 0 {
		return int16(-v)
	}
	return int16(v)
}

// AlawToLinear decodes an A-law code word to a 16-bit sample.
func AlawToLinear(code byte) int16 { return alawToLinear[code] }

// EncodeUlaw encodes pcm into dst (len(dst) >= len(pcm)).
func EncodeUlaw(dst []byte, pcm []int16) {
	dst = dst[:len(pcm)]
	for i, s := range pcm {
		dst[i] = LinearToUlaw(s)
	}
}

// DecodeUlaw decodes src into dst (len(dst) >= len(src)).
func DecodeUlaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = ulawToLinear[c]
	}
}

// EncodeAlaw encodes pcm into dst (len(dst) >= len(pcm)).
func EncodeAlaw(dst []byte, pcm []int16) {
	dst = dst[:len(pcm)]
	for i, s := range pcm {
		dst[i] = LinearToAlaw(s)
	}
}

// DecodeAlaw decodes src into dst (len(dst) >= len(src)).
func DecodeAlaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = alawToLinear[c]
	}
}

// UlawToAlaw converts a µ-law code word to A-law without going through a
// caller-visible linear sample (G.711 Table 3).
func UlawToAlaw(code byte) byte { return ulawToAlaw[code] }

// AlawToUlaw converts an A-law code word to µ-law (G.711 Table 4).
func AlawToUlaw(code byte) byte { return alawToUlaw[code] }

// buildTranscodeTables derives the direct µ-law/A-law conversions. G.711
// does not define them as "decode then re-encode": its tables map each
// code word to the other law's code word whose decoded value is nearest at
// the same analogue level. The two laws put that level at different points
// of a 16-bit word — µ-law overloads at 8159 (14-bit units) = +3.17 dBm0,
// A-law at 4096 (13-bit units) = +3.14 dBm0 — so the µ-law value must be
// rescaled before looking for the nearest A-law value. Doing that
// reproduces the published tables exactly; a plain decode/encode differs
// from them in 30 entries.
func buildTranscodeTables() {
	ulawScale := (4096.0 * 8 / (8159.0 * 4)) * math.Pow(10, (3.17-3.14)/20)
	for i := range 256 {
		code := byte(i)
		ulawToAlaw[code] = nearestCode(float64(ulawToLinear[code])*ulawScale, code&0x80 == 0, alawToLinear[:])
		alawToUlaw[code] = nearestCode(float64(alawToLinear[code])/ulawScale, code&0x80 == 0, ulawToLinear[:])
	}
}

// nearestCode returns the code word of decoded whose value is closest to
// want, with the requested sign. The sign is a parameter because µ-law has
// two zeros and the sign of the input code word must survive the mapping.
func nearestCode(want float64, negative bool, decoded []int16) byte {
	best, bestDistance := -1, math.Inf(1)
	for code, value := range decoded {
		codeNegative := code&0x80 == 0
		if codeNegative != negative {
			continue
		}
		if d := math.Abs(float64(value) - want); d < bestDistance {
			best, bestDistance = code, d
		}
	}
	return byte(best)
}

// LinearTable returns the decoding table of c's narrowband law: the
// linear sample of each code word.
func (c Codec) LinearTable() *[256]int16 {
	if c == PCMA {
		return &alawToLinear
	}
	return &ulawToLinear
}

// MagnitudeTable returns the absolute amplitude of each code word of c's
// narrowband law, for a cheap energy meter.
func (c Codec) MagnitudeTable() *[256]uint16 {
	if c == PCMA {
		return &alawMagnitude
	}
	return &ulawMagnitude
}

// TranscodeTable returns the code word mapping from one G.711 law to the
// other, nil when they are the same.
func TranscodeTable(from, to Codec) *[256]byte {
	switch {
	case from == to:
		return nil
	case to == PCMA:
		return &ulawToAlaw
	default:
		return &alawToUlaw
	}
}
