package media

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Codec is an audio codec the engine speaks: the two G.711 laws, and
// G.722 for wideband legs (see wideband.go).
type Codec uint8

// The supported codecs. The zero value is PCMU, whose static payload type
// is also 0, so an unset configuration still means something sensible.
const (
	PCMU Codec = iota
	PCMA
	// G722 is 64 kbit/s G.722: 16 kHz audio, though its RTP clock runs at
	// 8000 Hz (RFC 3551), so timestamps, frames of 160 octets per 20 ms
	// and RFC 4733 events are as for G.711. Inside the engine a G.722
	// leg's audio travels as narrowband µ-law like any other leg's: it is
	// decoded and down-sampled on receipt, and up-sampled and encoded
	// when sent.
	G722
)

// G.711 framing used throughout the engine: 8 kHz, 20 ms per RTP packet.
const (
	ClockRate     = 8000
	FrameSamples  = 160
	FrameDuration = 20 * time.Millisecond
)

// Silence code words: the encoding of linear zero in each law.
const (
	UlawSilence byte = 0xFF
	AlawSilence byte = 0xD5
)

// String returns the SDP encoding name.
func (c Codec) String() string {
	switch c {
	case PCMU:
		return "PCMU"
	case PCMA:
		return "PCMA"
	case G722:
		return "G722"
	default:
		return "unknown"
	}
}

// ParseCodec reads an SDP encoding name (any case).
func ParseCodec(name string) (Codec, bool) {
	for _, c := range []Codec{PCMU, PCMA, G722} {
		if strings.EqualFold(name, c.String()) {
			return c, true
		}
	}
	return 0, false
}

// ParseCodecs reads a list of SDP encoding names, in order.
func ParseCodecs(names []string) ([]Codec, error) {
	codecs := make([]Codec, 0, len(names))
	for _, name := range names {
		c, ok := ParseCodec(name)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownCodec, name)
		}
		codecs = append(codecs, c)
	}
	return codecs, nil
}

// ErrUnknownCodec is a codec name the engine does not speak.
var ErrUnknownCodec = errors.New("media: unknown codec")

// PayloadType returns the static RTP payload type of RFC 3551.
func (c Codec) PayloadType() uint8 {
	switch c {
	case PCMA:
		return 8
	case G722:
		return 9
	}
	return 0
}

// Valid reports whether c is one of the known codecs.
func (c Codec) Valid() bool { return c == PCMU || c == PCMA || c == G722 }

// Narrowband returns the G.711 law in which the engine carries c's audio
// between legs: c itself for G.711, µ-law for G.722.
func (c Codec) Narrowband() Codec {
	if c == PCMA {
		return PCMA
	}
	return PCMU
}

// SilenceByte returns the code word for linear zero in c's narrowband law.
func (c Codec) SilenceByte() byte {
	if c == PCMA {
		return AlawSilence
	}
	return UlawSilence
}

// Encode writes one code word per sample of pcm into dst, in c's
// narrowband law; dst must be at least as long as pcm.
func (c Codec) Encode(dst []byte, pcm []int16) {
	if c == PCMA {
		EncodeAlaw(dst, pcm)
		return
	}
	EncodeUlaw(dst, pcm)
}

// Decode writes one sample per code word of src, read in c's narrowband
// law, into dst; dst must be at least as long as src. Audio taken from a
// G.722 stream (an audio sink, a recording) is already narrowband.
func (c Codec) Decode(dst []int16, src []byte) {
	if c == PCMA {
		DecodeAlaw(dst, src)
		return
	}
	DecodeUlaw(dst, src)
}

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
