package media

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/media/record"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// Recording errors.
var (
	ErrRecording  = errors.New("media: bridge already recording")
	ErrNotStarted = errors.New("media: stream not started")
)

// The recording's channels: the caller left, the agent right.
const (
	channelCaller = record.Left
	channelAgent  = record.Right
)

// Recording writes a bridge's two directions as a stereo 16-bit 8 kHz
// WAV: the caller's voice left, the agent's right. Prompts played to a leg
// are not in it: it holds what each party said, as received.
//
// The read loops only hand payloads to the record.Writer, which copies
// them into a preallocated intake and writes them on its own goroutine; if
// that goroutine falls behind, audio is dropped and counted rather than
// delaying a read loop. Recording itself is the attachment to a bridge,
// which can move to another bridge while the file goes on
// (record_handover.go).
type Recording struct {
	// mu guards bridge, taps and stopped: a recording can move between
	// bridges (record_handover.go) while it runs.
	mu      sync.Mutex
	bridge  *BridgeHandle // nil while detached
	taps    [2]*recordTap
	stopped bool
	epoch   time.Time // the clock's origin, to put later legs' pacers on it

	w        *record.Writer
	stopOnce sync.Once
}

// RecordingStats counts what a recording wrote and lost, in 20 ms frames'
// worth of one channel.
type RecordingStats = record.Stats

// recordTap is what a read loop sees of a recording.
type recordTap struct {
	rec     *Recording
	channel uint8
	offset  time.Duration // from the stream's pacer clock to the recording's
}

func (t *recordTap) push(c rtpcodec.Codec, payload []byte, now time.Duration) {
	t.rec.w.Add(t.channel, c, payload, now+t.offset)
}

// StartRecording starts writing the bridge to w, header first. If w is an
// io.WriteSeeker (a file) the RIFF sizes are patched when the recording
// stops; otherwise they say "unknown" and readers take the data to run to
// the end. w is not closed. At least one leg must have been started.
func (h *BridgeHandle) StartRecording(w io.Writer) (*Recording, error) {
	return h.startRecording(w, nil)
}

// StartRecordingFile creates (or truncates) path and records into it; the
// file is closed when the recording stops.
func (h *BridgeHandle) StartRecordingFile(path string) (*Recording, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("media: record: %w", err)
	}
	rec, err := h.startRecording(f, f)
	if err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	return rec, nil
}

func (h *BridgeHandle) startRecording(w io.Writer, closer io.Closer) (*Recording, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return nil, ErrBridgeClosed
	case h.recording != nil:
		return nil, ErrRecording
	}
	rec, err := newRecording(h, w, closer)
	if err != nil {
		return nil, err
	}
	h.recording = rec
	h.caller.tap.Store(rec.taps[channelCaller])
	h.agent.tap.Store(rec.taps[channelAgent])
	if err := rec.w.Start(); err != nil {
		return nil, err
	}
	return rec, nil
}

// newRecording puts the recording on the clock of the first started leg's
// pacer; a leg on another pacer gets an offset, since each pacer's clock
// counts from its own start. It writes the WAV header; the timeline starts
// now, so earlier arrivals would be "late".
func newRecording(h *BridgeHandle, w io.Writer, closer io.Closer) (*Recording, error) {
	callerPacer, agentPacer := h.caller.startedPacer(), h.agent.startedPacer()
	clockPacer := callerPacer
	if clockPacer == nil {
		clockPacer = agentPacer
	}
	if clockPacer == nil {
		return nil, fmt.Errorf("media: record: %w", ErrNotStarted)
	}
	writer, err := record.New(w, closer, clockPacer.elapsed)
	if err != nil {
		return nil, err
	}
	rec := &Recording{bridge: h, epoch: clockPacer.epoch, w: writer}
	rec.taps = rec.newTaps(callerPacer, agentPacer)
	return rec, nil
}

// startedPacer returns the pacer the stream was started with, or nil.
func (s *Stream) startedPacer() *Pacer {
	s.life.Lock()
	defer s.life.Unlock()
	return s.pacer
}

// Stop detaches the recording from the legs, writes what is still
// buffered, patches the WAV sizes and closes the file it opened. It
// returns the first write error of the whole recording; later calls
// return the same.
func (r *Recording) Stop() error {
	r.stopOnce.Do(func() {
		r.mu.Lock()
		h := r.bridge
		r.stopped, r.bridge = true, nil
		if h != nil {
			r.untap(h)
		}
		r.mu.Unlock()
		if h != nil {
			h.mu.Lock()
			if h.recording == r {
				h.recording = nil
			}
			h.mu.Unlock()
		}
	})
	return r.w.Stop()
}

// Stats returns a snapshot of the counters.
func (r *Recording) Stats() RecordingStats { return r.w.Stats() }
