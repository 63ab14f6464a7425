package rtpaudio

import (
	"math"
	"testing"
)

func TestRecentAudioMeasuresToneAmplitude(t *testing.T) {
	var a recentAudio
	encode := Encoder(PayloadTypePCMU)
	payload := make([]byte, 160)
	for frame := range 20 {
		for i := range payload {
			n := float64(frame*160 + i)
			v := 6000*math.Sin(2*math.Pi*500*n/ClockRate) + 3000*math.Sin(2*math.Pi*1300*n/ClockRate)
			payload[i] = encode(int16(v))
		}
		a.add(Decoder(PayloadTypePCMU), payload)
	}
	if got := a.amplitude(500, 1600); math.Abs(got-6000) > 300 {
		t.Errorf("500 Hz amplitude %.0f, want about 6000", got)
	}
	if got := a.amplitude(1300, 1600); math.Abs(got-3000) > 300 {
		t.Errorf("1300 Hz amplitude %.0f, want about 3000", got)
	}
	if got := a.amplitude(900, 1600); got > 200 {
		t.Errorf("900 Hz (absent) amplitude %.0f", got)
	}
	if got := a.amplitude(500, recentSamples+1); got != 0 {
		t.Errorf("a window longer than what was kept measured %.0f", got)
	}
	if a.received != 3200 || a.count != 3200 {
		t.Errorf("received %d, kept %d", a.received, a.count)
	}
}
