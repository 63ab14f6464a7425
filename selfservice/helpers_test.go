package selfservice

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media/wav"
)

// toneWAV is a mono 440 Hz recording at rate, so an upload at another
// rate than 8 kHz must be resampled.
func toneWAV(t *testing.T, rate int, d time.Duration) []byte {
	t.Helper()
	pcm := make([]int16, int(d.Seconds()*float64(rate)))
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	var buf bytes.Buffer
	if err := wav.Encode(&buf, pcm, rate, 1); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
