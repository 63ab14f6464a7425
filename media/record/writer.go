package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wav"
)

const (
	wavHeaderSize = 44
	// wavUnknownSize fills the size fields when the writer cannot seek
	// back to patch them: readers then take the data to run to the end.
	wavUnknownSize = 0xFFFFFFFF
	recordChannels = 2
)

// The two channels of a recording.
const (
	Left  = 0
	Right = 1
)

// ErrStarted is returned by Start on a writer that was started already.
var ErrStarted = errors.New("media: record: writer already started")

// Writer writes two channels of received audio as a stereo 16-bit 8 kHz
// WAV. Add only copies payloads into a preallocated intake; one goroutine
// per writer decodes, aligns and writes them (see timeline). If that
// goroutine falls behind, audio is dropped and counted rather than
// delaying whoever calls Add.
type Writer struct {
	clock func() time.Duration // the writer's clock; Add's times are on it

	out    io.Writer
	closer io.Closer // closed when the writer stops, if not nil
	seeker io.WriteSeeker
	base   int64 // where the header starts, for seekable writers

	intake   recordIntake
	timeline timeline
	buf      [4 * recordWriteSamples]byte
	origin   int64        // timeline position of the first sample
	written  atomic.Int64 // stereo samples written

	started  atomic.Bool
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	err      error // set by the writer goroutine before done closes
}

// Stats counts what a recording wrote and lost, in 20 ms frames'
// worth of one channel.
type Stats struct {
	Frames uint64 // stereo frames written
	// DroppedFrames is audio lost because the recorder fell behind and
	// the intake was full.
	DroppedFrames uint64
	// LateFrames is audio that arrived after its place had been written.
	LateFrames uint64
	// Resyncs counts how often a channel was put back on arrival time.
	Resyncs uint64
}

// New writes the WAV header to out and returns a writer whose timeline
// starts at clock's now: audio added with an earlier time is late. If out
// is an io.WriteSeeker (a file) the RIFF sizes are patched when the writer
// stops; otherwise they say "unknown" and readers take the data to run to
// the end. closer, if not nil, is closed when the writer stops. Nothing is
// written after the header until Start.
func New(out io.Writer, closer io.Closer, clock func() time.Duration) (*Writer, error) {
	w := &Writer{
		clock:  clock,
		out:    out,
		closer: closer,
		intake: newRecordIntake(),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	w.origin = samplesAt(clock())
	w.timeline.written = w.origin
	if err := w.writeHeader(); err != nil {
		return nil, err
	}
	return w, nil
}

// Start starts the goroutine that writes what is added.
func (w *Writer) Start() error {
	if !w.started.CompareAndSwap(false, true) {
		return ErrStarted
	}
	go w.run()
	return nil
}

// Add copies payload, G.711 in c, onto channel (Left or Right) as audio
// that arrived at at on the writer's clock. It runs on a read loop: it
// takes a short lock, never waits for the writer and does not allocate.
func (w *Writer) Add(channel uint8, c rtpcodec.Codec, payload []byte, at time.Duration) {
	w.intake.add(channel, c, payload, at)
}

// Stop writes what is still buffered, patches the WAV sizes and closes
// closer. It returns the first write error of the whole recording; later
// calls return the same. The writer must have been started.
func (w *Writer) Stop() error {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.done
	return w.err
}

// Stats returns a snapshot of the counters.
func (w *Writer) Stats() Stats {
	return Stats{
		Frames:        uint64(w.written.Load()) / rtpcodec.FrameSamples,
		DroppedFrames: w.intake.dropped.Load() / rtpcodec.FrameSamples,
		LateFrames:    w.timeline.late.Load() / rtpcodec.FrameSamples,
		Resyncs:       w.timeline.resyncs.Load(),
	}
}

func (w *Writer) run() {
	defer close(w.done)
	timer := time.NewTimer(recordTick)
	defer timer.Stop()
	for {
		select {
		case <-w.stop:
			w.err = w.finish()
			return
		case <-timer.C:
			w.err = w.step(samplesAt(w.clock() - recordLag))
			timer.Reset(recordTick)
		}
	}
}

// step places what arrived and writes the timeline up to upTo. After a
// write error it only keeps the intake drained.
func (w *Writer) step(upTo int64) error {
	chunks := w.intake.take()
	if w.err != nil {
		return w.err
	}
	for i := range chunks {
		w.timeline.place(&chunks[i])
	}
	err := w.timeline.emit(w.out, upTo, w.buf[:])
	w.written.Store(w.timeline.written - w.origin)
	return err
}

// finish writes everything received, then fixes the header. After an
// earlier write error it only closes the file.
func (w *Writer) finish() error {
	err := w.step(w.timeline.written) // place the last arrivals
	if err == nil {
		err = w.step(w.timeline.end())
	}
	if err == nil {
		err = w.patchHeader()
	}
	if w.closer != nil {
		if cerr := w.closer.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("media: record: %w", cerr)
		}
	}
	return err
}

// writeHeader writes a canonical 44-byte stereo PCM header; sizes stay
// unknown until patchHeader.
func (w *Writer) writeHeader() error {
	if ws, ok := w.out.(io.WriteSeeker); ok {
		base, err := ws.Seek(0, io.SeekCurrent)
		if err != nil {
			return fmt.Errorf("media: record: %w", err)
		}
		w.seeker, w.base = ws, base
	}
	var header [wavHeaderSize]byte
	copy(header[0:4], "RIFF")
	binary.LittleEndian.PutUint32(header[4:8], wavUnknownSize)
	copy(header[8:16], "WAVEfmt ")
	binary.LittleEndian.PutUint32(header[16:20], 16)
	binary.LittleEndian.PutUint16(header[20:22], wav.FormatPCM)
	binary.LittleEndian.PutUint16(header[22:24], recordChannels)
	binary.LittleEndian.PutUint32(header[24:28], rtpcodec.ClockRate)
	binary.LittleEndian.PutUint32(header[28:32], rtpcodec.ClockRate*recordChannels*2)
	binary.LittleEndian.PutUint16(header[32:34], recordChannels*2)
	binary.LittleEndian.PutUint16(header[34:36], 16)
	copy(header[36:40], "data")
	binary.LittleEndian.PutUint32(header[40:44], wavUnknownSize)
	if _, err := w.out.Write(header[:]); err != nil {
		return fmt.Errorf("media: record: %w", err)
	}
	return nil
}

// patchHeader writes the real sizes into a seekable writer's header and
// leaves it positioned after the data.
func (w *Writer) patchHeader() error {
	if w.seeker == nil {
		return nil
	}
	// Past 4 GiB (37 hours of stereo) the sizes stay "unknown".
	dataSize := uint32(min(w.written.Load()*4, wavUnknownSize-36))
	var size [4]byte
	for _, field := range []struct {
		offset int64
		value  uint32
	}{{4, dataSize + 36}, {40, dataSize}} {
		binary.LittleEndian.PutUint32(size[:], field.value)
		if _, err := w.seeker.Seek(w.base+field.offset, io.SeekStart); err != nil {
			return fmt.Errorf("media: record: patch header: %w", err)
		}
		if _, err := w.seeker.Write(size[:]); err != nil {
			return fmt.Errorf("media: record: patch header: %w", err)
		}
	}
	if _, err := w.seeker.Seek(0, io.SeekEnd); err != nil {
		return fmt.Errorf("media: record: patch header: %w", err)
	}
	return nil
}
