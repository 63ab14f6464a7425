package record

import (
	"math"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

const ms = time.Millisecond

func tone(hz float64, amplitude int16, d time.Duration) []int16 {
	n := int(d.Seconds() * rtpcodec.ClockRate)
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(float64(amplitude) * math.Sin(2*math.Pi*hz*float64(i)/rtpcodec.ClockRate))
	}
	return out
}
