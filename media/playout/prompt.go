package playout

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/media/resample"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wav"
)

// Prompt is a piece of audio ready to send: encoded once, at load, into
// both laws and padded with silence to whole 20 ms frames, so playback only
// hands out sub-slices. A Prompt is immutable and safe to share between
// any number of streams.
type Prompt struct {
	name   string
	frames int
	ulaw   []byte
	alaw   []byte
	// wide is the 16 kHz copy for G.722 legs, made once on demand by
	// PrepareWideband; nil until then.
	wide atomic.Pointer[[]int16]
}

// NewPrompt encodes 8 kHz mono samples.
func NewPrompt(name string, pcm8k []int16) *Prompt {
	frames := (len(pcm8k) + rtpcodec.FrameSamples - 1) / rtpcodec.FrameSamples
	p := &Prompt{
		name:   name,
		frames: frames,
		ulaw:   make([]byte, frames*rtpcodec.FrameSamples),
		alaw:   make([]byte, frames*rtpcodec.FrameSamples),
	}
	rtpcodec.EncodeUlaw(p.ulaw, pcm8k)
	rtpcodec.EncodeAlaw(p.alaw, pcm8k)
	fill(p.ulaw[len(pcm8k):], rtpcodec.UlawSilence)
	fill(p.alaw[len(pcm8k):], rtpcodec.AlawSilence)
	return p
}

// LoadPromptWAV decodes a WAV file (see wav.Decode) that must be sampled at
// 8000 Hz: resampling belongs in the offline prompt tooling, not here.
func LoadPromptWAV(name string, r io.Reader) (*Prompt, error) {
	pcm, rate, err := wav.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("media: prompt %q: %w", name, err)
	}
	if rate != rtpcodec.ClockRate {
		return nil, fmt.Errorf("media: prompt %q: %w: sampled at %d Hz, need %d Hz", name, wav.ErrUnsupported, rate, rtpcodec.ClockRate)
	}
	return NewPrompt(name, pcm), nil
}

// Silence returns a prompt of silence lasting d, rounded up to whole
// frames; useful as a pause between composed prompts.
func Silence(d time.Duration) *Prompt {
	frames := int((d + rtpcodec.FrameDuration - 1) / rtpcodec.FrameDuration)
	if frames < 0 {
		frames = 0
	}
	p := &Prompt{
		name:   "silence",
		frames: frames,
		ulaw:   make([]byte, frames*rtpcodec.FrameSamples),
		alaw:   make([]byte, frames*rtpcodec.FrameSamples),
	}
	fill(p.ulaw, rtpcodec.UlawSilence)
	fill(p.alaw, rtpcodec.AlawSilence)
	return p
}

// Name returns the name given at load.
func (p *Prompt) Name() string { return p.name }

// Frames returns the number of 20 ms frames.
func (p *Prompt) Frames() int { return p.frames }

// Duration returns the playing time, a whole number of frames.
func (p *Prompt) Duration() time.Duration { return time.Duration(p.frames) * rtpcodec.FrameDuration }

// Frame returns frame i encoded for c, without copying; nil when i is out
// of range. The slice's capacity ends with the frame, so an append by the
// caller cannot overwrite the next frame.
func (p *Prompt) Frame(c rtpcodec.Codec, i int) []byte {
	if i < 0 || i >= p.frames {
		return nil
	}
	data := p.ulaw
	if c == rtpcodec.PCMA {
		data = p.alaw
	}
	start, end := i*rtpcodec.FrameSamples, (i+1)*rtpcodec.FrameSamples
	return data[start:end:end]
}

// PrepareWideband makes, once, the prompt's 16 kHz copy that G.722 legs
// play: the µ-law frames up-sampled with the engine's half-band filter and
// aligned with them (the filter's delay is taken out). A stream calls it
// when a wideband leg is asked to play the prompt, outside the packet
// path; calling it at load for prompts that agents hear moves that work
// to start-up. It costs 4 bytes per 8 kHz sample and is safe for
// concurrent use.
func (p *Prompt) PrepareWideband() {
	if p.wide.Load() != nil {
		return
	}
	pcm8 := make([]int16, len(p.ulaw)+resample.UpDelay) // the tail flushes the filter
	rtpcodec.DecodeUlaw(pcm8, p.ulaw)
	pcm16 := make([]int16, 2*len(pcm8))
	var up resample.Upsampler
	up.Process(pcm16, pcm8)
	aligned := pcm16[2*resample.UpDelay:]
	p.wide.CompareAndSwap(nil, &aligned)
}

// WideFrame returns frame i of the 16 kHz copy, or nil when there is none.
func (p *Prompt) WideFrame(i int) []int16 {
	wide := p.wide.Load()
	if wide == nil || i < 0 || i >= p.frames {
		return nil
	}
	start, end := 2*i*rtpcodec.FrameSamples, 2*(i+1)*rtpcodec.FrameSamples
	return (*wide)[start:end:end]
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}
