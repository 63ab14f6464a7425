package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Recording errors.
var (
	ErrRecording  = errors.New("media: bridge already recording")
	ErrNotStarted = errors.New("media: stream not started")
)

const (
	wavHeaderSize = 44
	// wavUnknownSize fills the size fields when the writer cannot seek
	// back to patch them: readers then take the data to run to the end.
	wavUnknownSize = 0xFFFFFFFF
	recordChannels = 2
)

// Recording writes a bridge's two directions as a stereo 16-bit 8 kHz
// WAV: the caller's voice left, the agent's right. Prompts played to a leg
// are not in it: it holds what each party said, as received.
//
// The read loops only copy payloads into a preallocated intake; one
// goroutine per recording decodes, aligns and writes (see timeline). If
// that goroutine falls behind, audio is dropped and counted rather than
// delaying a read loop.
type Recording struct {
	// mu guards bridge, taps and stopped: a recording can move between
	// bridges (record_handover.go) while it runs.
	mu      sync.Mutex
	bridge  *BridgeHandle // nil while detached
	taps    [2]*recordTap
	stopped bool
	clock   func() time.Duration
	epoch   time.Time // the clock's origin, to put later legs' pacers on it

	out    io.Writer
	closer io.Closer // the file, for StartRecordingFile
	seeker io.WriteSeeker
	base   int64 // where the header starts, for seekable writers

	intake   recordIntake
	timeline timeline
	buf      [4 * recordWriteSamples]byte
	origin   int64        // timeline position of the first sample
	written  atomic.Int64 // stereo samples written

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	err      error // set by the recorder goroutine before done closes
}

// RecordingStats counts what a recording wrote and lost, in 20 ms frames'
// worth of one channel.
type RecordingStats struct {
	Frames uint64 // stereo frames written
	// DroppedFrames is audio lost because the recorder fell behind and
	// the intake was full.
	DroppedFrames uint64
	// LateFrames is audio that arrived after its place had been written.
	LateFrames uint64
	// Resyncs counts how often a channel was put back on arrival time.
	Resyncs uint64
}

// recordTap is what a read loop sees of a recording.
type recordTap struct {
	rec     *Recording
	channel uint8
	offset  time.Duration // from the stream's pacer clock to the recording's
}

func (t *recordTap) push(c Codec, payload []byte, now time.Duration) {
	t.rec.intake.add(t.channel, c, payload, now+t.offset)
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
	if err := rec.writeHeader(); err != nil {
		return nil, err
	}
	h.recording = rec
	h.caller.tap.Store(rec.taps[channelCaller])
	h.agent.tap.Store(rec.taps[channelAgent])
	go rec.run()
	return rec, nil
}

// newRecording puts the recording on the clock of the first started leg's
// pacer; a leg on another pacer gets an offset, since each pacer's clock
// counts from its own start.
func newRecording(h *BridgeHandle, w io.Writer, closer io.Closer) (*Recording, error) {
	callerPacer, agentPacer := h.caller.startedPacer(), h.agent.startedPacer()
	clockPacer := callerPacer
	if clockPacer == nil {
		clockPacer = agentPacer
	}
	if clockPacer == nil {
		return nil, fmt.Errorf("media: record: %w", ErrNotStarted)
	}
	rec := &Recording{
		bridge: h,
		clock:  clockPacer.elapsed,
		epoch:  clockPacer.epoch,
		out:    w,
		closer: closer,
		intake: newRecordIntake(),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	rec.taps = rec.newTaps(callerPacer, agentPacer)
	// The timeline starts now: earlier arrivals would be "late".
	rec.origin = samplesAt(rec.clock())
	rec.timeline.written = rec.origin
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
		close(r.stop)
		if h != nil {
			h.mu.Lock()
			if h.recording == r {
				h.recording = nil
			}
			h.mu.Unlock()
		}
	})
	<-r.done
	return r.err
}

// Stats returns a snapshot of the counters.
func (r *Recording) Stats() RecordingStats {
	return RecordingStats{
		Frames:        uint64(r.written.Load()) / FrameSamples,
		DroppedFrames: r.intake.dropped.Load() / FrameSamples,
		LateFrames:    r.timeline.late.Load() / FrameSamples,
		Resyncs:       r.timeline.resyncs.Load(),
	}
}

func (r *Recording) run() {
	defer close(r.done)
	timer := time.NewTimer(recordTick)
	defer timer.Stop()
	for {
		select {
		case <-r.stop:
			r.err = r.finish()
			return
		case <-timer.C:
			r.err = r.step(samplesAt(r.clock() - recordLag))
			timer.Reset(recordTick)
		}
	}
}

// step places what arrived and writes the timeline up to upTo. After a
// write error it only keeps the intake drained.
func (r *Recording) step(upTo int64) error {
	chunks := r.intake.take()
	if r.err != nil {
		return r.err
	}
	for i := range chunks {
		r.timeline.place(&chunks[i])
	}
	err := r.timeline.emit(r.out, upTo, r.buf[:])
	r.written.Store(r.timeline.written - r.origin)
	return err
}

// finish writes everything received, then fixes the header. After an
// earlier write error it only closes the file.
func (r *Recording) finish() error {
	err := r.step(r.timeline.written) // place the last arrivals
	if err == nil {
		err = r.step(r.timeline.end())
	}
	if err == nil {
		err = r.patchHeader()
	}
	if r.closer != nil {
		if cerr := r.closer.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("media: record: %w", cerr)
		}
	}
	return err
}

// writeHeader writes a canonical 44-byte stereo PCM header; sizes stay
// unknown until patchHeader.
func (r *Recording) writeHeader() error {
	if ws, ok := r.out.(io.WriteSeeker); ok {
		base, err := ws.Seek(0, io.SeekCurrent)
		if err != nil {
			return fmt.Errorf("media: record: %w", err)
		}
		r.seeker, r.base = ws, base
	}
	var header [wavHeaderSize]byte
	copy(header[0:4], "RIFF")
	binary.LittleEndian.PutUint32(header[4:8], wavUnknownSize)
	copy(header[8:16], "WAVEfmt ")
	binary.LittleEndian.PutUint32(header[16:20], 16)
	binary.LittleEndian.PutUint16(header[20:22], wavFormatPCM)
	binary.LittleEndian.PutUint16(header[22:24], recordChannels)
	binary.LittleEndian.PutUint32(header[24:28], ClockRate)
	binary.LittleEndian.PutUint32(header[28:32], ClockRate*recordChannels*2)
	binary.LittleEndian.PutUint16(header[32:34], recordChannels*2)
	binary.LittleEndian.PutUint16(header[34:36], 16)
	copy(header[36:40], "data")
	binary.LittleEndian.PutUint32(header[40:44], wavUnknownSize)
	if _, err := r.out.Write(header[:]); err != nil {
		return fmt.Errorf("media: record: %w", err)
	}
	return nil
}

// patchHeader writes the real sizes into a seekable writer's header and
// leaves it positioned after the data.
func (r *Recording) patchHeader() error {
	if r.seeker == nil {
		return nil
	}
	// Past 4 GiB (37 hours of stereo) the sizes stay "unknown".
	dataSize := uint32(min(r.written.Load()*4, wavUnknownSize-36))
	var size [4]byte
	for _, field := range []struct {
		offset int64
		value  uint32
	}{{4, dataSize + 36}, {40, dataSize}} {
		binary.LittleEndian.PutUint32(size[:], field.value)
		if _, err := r.seeker.Seek(r.base+field.offset, io.SeekStart); err != nil {
			return fmt.Errorf("media: record: patch header: %w", err)
		}
		if _, err := r.seeker.Write(size[:]); err != nil {
			return fmt.Errorf("media: record: patch header: %w", err)
		}
	}
	if _, err := r.seeker.Seek(0, io.SeekEnd); err != nil {
		return fmt.Errorf("media: record: patch header: %w", err)
	}
	return nil
}
