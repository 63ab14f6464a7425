package selfservice

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wav"
)

// loudRMS is the frame level (of 32768) above which the caller is taken to
// be speaking: about -40 dBFS, well above line noise.
const loudRMS = 330

// VoiceRecorder collects a caller's voice message from the RTP read loop.
// push runs on that loop and only decodes and appends into buffers made
// when the recording starts: it never allocates and never reads a clock.
// The leg's goroutine decides when the message is over (terminator,
// length, silence), reading the server's clock.
type VoiceRecorder struct {
	codec rtpcodec.Codec
	max   int // samples
	quit  chan struct{}
	full  chan struct{}

	mu       sync.Mutex
	pcm      []int16 // capacity max from the start: appending never grows it
	heard    bool    // some frame was loud
	loudEnd  int     // len(pcm) after the last loud frame
	stopOnce sync.Once
	fullOnce sync.Once
	frame    []int16

	// Where the leg last saw loudEnd move, and when by the server's clock:
	// a phone that stops sending on silence sends no samples to count.
	seenLoudEnd int
	seenAt      time.Time
}

// maxFramePayload is the largest RTP payload decoded without growing the
// frame buffer: 60 ms of G.711.
const maxFramePayload = 480

// NewVoiceRecorder makes a recorder for codec that keeps at most maxDur of
// audio.
func NewVoiceRecorder(codec rtpcodec.Codec, maxDur time.Duration) *VoiceRecorder {
	maxSamples := int(maxDur.Seconds() * rtpcodec.ClockRate)
	return &VoiceRecorder{
		codec: codec, max: maxSamples,
		quit: make(chan struct{}), full: make(chan struct{}),
		pcm:   make([]int16, 0, maxSamples),
		frame: make([]int16, maxFramePayload),
	}
}

// Push decodes one RTP payload into the message; it runs on the RTP read
// loop.
func (r *VoiceRecorder) Push(payload []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pcm) >= r.max {
		return
	}
	if cap(r.frame) < len(payload) {
		r.frame = make([]int16, len(payload)) // a peer's unusual packet time, once
	}
	f := r.frame[:len(payload)]
	r.codec.Decode(f, payload)
	f = f[:min(len(f), r.max-len(r.pcm))]
	r.pcm = append(r.pcm, f...)
	if rms(f) >= loudRMS {
		r.heard, r.loudEnd = true, len(r.pcm)
	}
	if len(r.pcm) >= r.max {
		r.fullOnce.Do(r.closeFull)
	}
}

func (r *VoiceRecorder) closeFull() { close(r.full) }

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

// QuietFor reports whether the caller spoke and has since been quiet for d
// at now: d of audio received after the last loud frame, or d on the
// server's clock since the leg first saw that frame (a phone that stops
// sending on silence). The leg asks every 100 ms, which bounds how late
// the second way notices.
func (r *VoiceRecorder) QuietFor(now time.Time, d time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.heard {
		return false
	}
	if r.loudEnd != r.seenLoudEnd || r.seenAt.IsZero() {
		r.seenLoudEnd, r.seenAt = r.loudEnd, now
	}
	after := time.Duration(len(r.pcm)-r.loudEnd) * time.Second / rtpcodec.ClockRate
	return after >= d || now.Sub(r.seenAt) >= d
}

// Stop ends the recording (the caller pressed the terminator, or the call
// is over); it may be called more than once.
func (r *VoiceRecorder) Stop() { r.stopOnce.Do(func() { close(r.quit) }) }

// Stopped is closed by Stop.
func (r *VoiceRecorder) Stopped() <-chan struct{} { return r.quit }

// Full is closed when the message reached its length limit.
func (r *VoiceRecorder) Full() <-chan struct{} { return r.full }

// Samples is the message so far, as 8 kHz PCM.
func (r *VoiceRecorder) Samples() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pcm
}

// SaveFaultMessage writes a caller's message as an 8 kHz mono 16-bit WAV
// under data_dir/faults/ and returns its file name; trailing silence is
// kept, as it tells a listener the caller had finished.
func (s *Service) SaveFaultMessage(callID string, pcm []int16) (string, error) {
	name := faultFileName(s.clock.Now(), callID)
	if err := writeWAVFile(filepath.Join(s.faults.dir, name), pcm); err != nil {
		return "", err
	}
	return name, nil
}

// faultFileName is <UTC time>-<call id>.wav with the call id reduced to
// characters safe in any file system.
func faultFileName(t time.Time, callID string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, callID)
	if len(safe) > 64 {
		safe = safe[:64]
	}
	return t.UTC().Format("20060102T150405.000") + "-" + safe + ".wav"
}

func writeWAVFile(path string, pcm []int16) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("fault message: %w", err)
	}
	tmp := path + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("fault message: %w", err)
	}
	if err := wav.Encode(f, pcm, rtpcodec.ClockRate, 1); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("fault message: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("fault message: %w", err)
	}
	return os.Rename(tmp, path)
}
