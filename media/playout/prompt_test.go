package playout

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wav"
)

func TestNewPromptPadsToWholeFrames(t *testing.T) {
	pcm := mediatest.Tone(1000, 8000, 50*time.Millisecond) // 400 samples = 2.5 frames
	p := NewPrompt("tone", pcm)
	if p.Name() != "tone" || p.Frames() != 3 || p.Duration() != 60*time.Millisecond {
		t.Fatalf("name %q frames %d duration %v", p.Name(), p.Frames(), p.Duration())
	}
	for _, c := range []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA} {
		for i := range p.Frames() {
			frame := p.Frame(c, i)
			if len(frame) != rtpcodec.FrameSamples || cap(frame) != rtpcodec.FrameSamples {
				t.Fatalf("%s frame %d: len %d cap %d", c, i, len(frame), cap(frame))
			}
			for j, code := range frame {
				sample := i*rtpcodec.FrameSamples + j
				want := c.SilenceByte()
				if sample < len(pcm) {
					want = encodeOne(c, pcm[sample])
				}
				if code != want {
					t.Fatalf("%s frame %d byte %d = %#02x, want %#02x", c, i, j, code, want)
				}
			}
		}
	}
	if p.Frame(rtpcodec.PCMU, 3) != nil || p.Frame(rtpcodec.PCMU, -1) != nil {
		t.Error("out-of-range frame is not nil")
	}
}

func encodeOne(c rtpcodec.Codec, s int16) byte {
	if c == rtpcodec.PCMA {
		return rtpcodec.LinearToAlaw(s)
	}
	return rtpcodec.LinearToUlaw(s)
}

func TestFrameIsNotACopy(t *testing.T) {
	p := NewPrompt("x", make([]int16, 2*rtpcodec.FrameSamples))
	a, b := p.Frame(rtpcodec.PCMA, 1), p.Frame(rtpcodec.PCMA, 1)
	if &a[0] != &b[0] {
		t.Fatal("Frame returned a copy")
	}
	allocs := testing.AllocsPerRun(100, func() { _ = p.Frame(rtpcodec.PCMU, 1) })
	if allocs != 0 {
		t.Fatalf("Frame allocates %v times", allocs)
	}
}

func TestEmptyPrompt(t *testing.T) {
	p := NewPrompt("empty", nil)
	if p.Frames() != 0 || p.Duration() != 0 || p.Frame(rtpcodec.PCMU, 0) != nil {
		t.Fatalf("frames %d", p.Frames())
	}
}

func TestSilencePrompt(t *testing.T) {
	p := Silence(50 * time.Millisecond)
	if p.Frames() != 3 {
		t.Fatalf("frames = %d, want 3 (rounded up)", p.Frames())
	}
	for _, c := range []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA} {
		for _, code := range p.Frame(c, 2) {
			if code != c.SilenceByte() {
				t.Fatalf("%s silence byte %#02x", c, code)
			}
		}
	}
	if Silence(-time.Second).Frames() != 0 {
		t.Error("negative silence has frames")
	}
}

func TestLoadPromptWAV(t *testing.T) {
	var buf bytes.Buffer
	if err := wav.Encode(&buf, mediatest.Tone(440, 4000, 100*time.Millisecond), 8000, 1); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPromptWAV("beep", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if p.Frames() != 5 || p.Name() != "beep" {
		t.Fatalf("frames %d name %q", p.Frames(), p.Name())
	}

	buf.Reset()
	if err := wav.Encode(&buf, make([]int16, 160), 16000, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPromptWAV("wide", &buf); !errors.Is(err, wav.ErrUnsupported) {
		t.Fatalf("16 kHz prompt: err = %v, want ErrUnsupportedWAV", err)
	}
	if _, err := LoadPromptWAV("junk", bytes.NewReader([]byte("junk"))); !errors.Is(err, wav.ErrInvalid) {
		t.Fatalf("junk: err = %v, want ErrInvalidWAV", err)
	}
}
