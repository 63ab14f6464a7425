package playout

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// The 16 kHz copy of a prompt is the µ-law prompt, aligned sample for
// sample: every even sample of the copy is a sample of the original.
func TestPromptWidebandCopy(t *testing.T) {
	p := NewPrompt("tone", mediatest.Tone(700, 8000, 200*time.Millisecond))
	if p.WideFrame(0) != nil {
		t.Fatal("copy before PrepareWideband")
	}
	p.PrepareWideband()
	p.PrepareWideband() // once is enough; twice is harmless
	narrow := make([]int16, rtpcodec.FrameSamples)
	for i := range p.Frames() {
		rtpcodec.DecodeUlaw(narrow, p.Frame(rtpcodec.PCMU, i))
		wide := p.WideFrame(i)
		if len(wide) != 2*rtpcodec.FrameSamples {
			t.Fatalf("frame %d: %d samples", i, len(wide))
		}
		for j, v := range narrow {
			if wide[2*j] != v {
				t.Fatalf("frame %d sample %d: %d, want %d", i, j, wide[2*j], v)
			}
		}
	}
	if p.WideFrame(p.Frames()) != nil || p.WideFrame(-1) != nil {
		t.Fatal("frame out of range")
	}
}
