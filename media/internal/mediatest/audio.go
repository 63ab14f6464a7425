package mediatest

import (
	"math"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// Tone is a sine wave at hz, amplitude peak, d long, at 8 kHz.
func Tone(hz float64, amplitude int16, d time.Duration) []int16 {
	n := int(d.Seconds() * rtpcodec.ClockRate)
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(float64(amplitude) * math.Sin(2*math.Pi*hz*float64(i)/rtpcodec.ClockRate))
	}
	return out
}

// ToneFrame is one 20 ms frame of a loud 1 kHz tone coded in c.
func ToneFrame(c rtpcodec.Codec) []byte {
	frame := make([]byte, rtpcodec.FrameSamples)
	c.Encode(frame, Tone(1000, 8000, rtpcodec.FrameDuration))
	return frame
}

// Each party of a supervised call speaks its own tone; a whole number of
// cycles fits a frame, so the Goertzel powers of the three are
// independent of one another.
const (
	CallerHz     = 500.0
	AgentHz      = 1000.0
	SupervisorHz = 1500.0
	PartyLevel   = 6000
	// HeardPower separates a tone that is present (about level²/4 = 9e6)
	// from leakage and G.711 quantisation noise (below 1e4).
	HeardPower = 1e6
)

// PartyFrame is one frame of a party's tone at PartyLevel, coded in c.
func PartyFrame(hz float64, c rtpcodec.Codec) []byte {
	frame := make([]byte, rtpcodec.FrameSamples)
	c.Encode(frame, Tone(hz, PartyLevel, rtpcodec.FrameDuration))
	return frame
}

// Press returns the telephone-event payloads a sender emits for one key:
// growing durations, then three identical end packets.
func Press(event uint8, frames int) [][]byte {
	var out [][]byte
	for i := 1; i <= frames; i++ {
		d := 160 * i
		out = append(out, []byte{event, 10, byte(d >> 8), byte(d)})
	}
	d := 160 * frames
	for range 3 {
		out = append(out, []byte{event, 0x80 | 10, byte(d >> 8), byte(d)})
	}
	return out
}
