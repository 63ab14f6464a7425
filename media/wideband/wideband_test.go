package wideband

import (
	"math"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

func BenchmarkWidebandFrame(b *testing.B) {
	var send Sender
	var recv Receiver
	frame := make([]byte, rtpcodec.FrameSamples)
	rtpcodec.EncodeUlaw(frame, tone(1000, 8000, rtpcodec.FrameDuration))
	b.ReportAllocs()
	for b.Loop() {
		send.StageNarrow(frame)
		recv.Narrowband(send.EncodeStaged())
	}
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
