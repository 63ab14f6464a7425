package selfservice

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// frames encodes n 20 ms frames of a constant level.
func frames(c rtpcodec.Codec, level int16) []byte {
	pcm := make([]int16, rtpcodec.FrameSamples)
	for i := range pcm {
		pcm[i] = level
		if i%2 == 1 {
			pcm[i] = -level
		}
	}
	out := make([]byte, rtpcodec.FrameSamples)
	c.Encode(out, pcm)
	return out
}

// push runs in the RTP read loop: recording a whole message, to its
// length limit, allocates nothing there.
func TestVoiceRecorderPushDoesNotAllocate(t *testing.T) {
	const maxDur = 20 * time.Second
	loud, quiet := frames(rtpcodec.PCMU, 8000), frames(rtpcodec.PCMU, 0)
	perMessage := int(maxDur / (20 * time.Millisecond))
	// AllocsPerRun runs once more than asked, to warm up: one fresh
	// recorder each.
	recs := []*VoiceRecorder{NewVoiceRecorder(rtpcodec.PCMU, maxDur), NewVoiceRecorder(rtpcodec.PCMU, maxDur)}
	next := 0
	allocs := testing.AllocsPerRun(1, func() {
		r := recs[next]
		next++
		for i := range perMessage + 5 {
			if i%3 == 0 {
				r.Push(loud)
			} else {
				r.Push(quiet)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("recording a %v message allocated %v times in the read loop, want 0", maxDur, allocs)
	}
	for i, r := range recs {
		if got := len(r.Samples()); got != r.max {
			t.Errorf("recorder %d kept %d samples, want %d", i, got, r.max)
		}
		select {
		case <-r.full:
		default:
			t.Errorf("recorder %d did not say it was full", i)
		}
	}
}

// The end silence is counted in audio received after the last loud frame,
// or, when the phone stops sending, on the server's clock from when the
// leg first saw that frame; neither reads the wall clock.
func TestVoiceRecorderQuietOnSamplesOrOnTheServerClock(t *testing.T) {
	loud, quiet := frames(rtpcodec.PCMU, 8000), frames(rtpcodec.PCMU, 0)
	t0 := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	const endSilence = time.Second

	t.Run("audio keeps coming", func(t *testing.T) {
		r := NewVoiceRecorder(rtpcodec.PCMU, time.Minute)
		r.Push(quiet)
		if r.QuietFor(t0, endSilence) {
			t.Fatal("quiet before the caller spoke")
		}
		r.Push(loud)
		if r.QuietFor(t0, endSilence) {
			t.Fatal("quiet right after a loud frame")
		}
		for range 49 {
			r.Push(quiet)
		}
		if r.QuietFor(t0, endSilence) {
			t.Fatal("quiet after 980 ms of silence")
		}
		r.Push(quiet)
		if !r.QuietFor(t0, endSilence) {
			t.Fatal("not quiet after 1 s of silence received, with the clock standing still")
		}
	})
	t.Run("phone stops sending", func(t *testing.T) {
		r := NewVoiceRecorder(rtpcodec.PCMU, time.Minute)
		r.Push(loud)
		if r.QuietFor(t0, endSilence) {
			t.Fatal("quiet when the loud frame was first seen")
		}
		if r.QuietFor(t0.Add(900*time.Millisecond), endSilence) {
			t.Fatal("quiet after 900 ms")
		}
		r.Push(loud) // speaking again: the wait starts over
		if r.QuietFor(t0.Add(1100*time.Millisecond), endSilence) {
			t.Fatal("quiet right after speaking again")
		}
		if !r.QuietFor(t0.Add(2100*time.Millisecond), endSilence) {
			t.Fatal("not quiet 1 s after the last loud frame was seen")
		}
	})
}
