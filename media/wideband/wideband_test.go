package wideband

import (
	"testing"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

func BenchmarkWidebandFrame(b *testing.B) {
	var send Sender
	var recv Receiver
	frame := make([]byte, rtpcodec.FrameSamples)
	rtpcodec.EncodeUlaw(frame, mediatest.Tone(1000, 8000, rtpcodec.FrameDuration))
	b.ReportAllocs()
	for b.Loop() {
		send.StageNarrow(frame)
		recv.Narrowband(send.EncodeStaged())
	}
}
