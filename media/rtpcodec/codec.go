package rtpcodec

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Codec is an audio codec the engine speaks: the two G.711 laws, and
// G.722 for wideband legs (the codec itself is package g722; the
// engine carries their audio as narrowband µ-law, see media/wideband.go).
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
