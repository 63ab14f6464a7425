package mix

import (
	"math"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// Each party speaks its own tone; a whole number of cycles fits a frame,
// so the Goertzel powers of the three are independent of one another.
const (
	mixCallerHz     = 500.0
	mixAgentHz      = 1000.0
	mixSupervisorHz = 1500.0
	partyLevel      = 6000
	// heardPower separates a tone that is present (about level²/4 = 9e6)
	// from leakage and G.711 quantisation noise (below 1e4).
	heardPower = 1e6
)

func partyFrame(hz float64, c rtpcodec.Codec) []byte {
	frame := make([]byte, rtpcodec.FrameSamples)
	c.Encode(frame, tone(hz, partyLevel, rtpcodec.FrameDuration))
	return frame
}

func tone(hz float64, amplitude int16, d time.Duration) []int16 {
	n := int(d.Seconds() * rtpcodec.ClockRate)
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(float64(amplitude) * math.Sin(2*math.Pi*hz*float64(i)/rtpcodec.ClockRate))
	}
	return out
}

func toneFrame(c rtpcodec.Codec) []byte {
	frame := make([]byte, rtpcodec.FrameSamples)
	c.Encode(frame, tone(1000, 8000, rtpcodec.FrameDuration))
	return frame
}
