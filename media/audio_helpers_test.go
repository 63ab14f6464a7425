package media

import (
	"errors"
	"math"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

var errDiskFull = errors.New("disk full")

type failingWriter struct{ after int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.after -= len(b); w.after < 0 {
		return 0, errDiskFull
	}
	return len(b), nil
}

// tone is a sine wave at hz, amplitude peak, d long, at 8 kHz.
func tone(hz float64, amplitude int16, d time.Duration) []int16 {
	n := int(d.Seconds() * rtpcodec.ClockRate)
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(float64(amplitude) * math.Sin(2*math.Pi*hz*float64(i)/rtpcodec.ClockRate))
	}
	return out
}
