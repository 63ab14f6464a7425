package app

import (
	"math"
)

// rms is the level of a stretch of audio (of 32768), to tell what a phone
// heard without decoding speech.
func rms(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var sum float64
	for _, s := range pcm {
		sum += float64(s) * float64(s)
	}
	return math.Sqrt(sum / float64(len(pcm)))
}
