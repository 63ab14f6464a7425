package record

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// Recording geometry. The read loops only copy payloads into an intake;
// one goroutine per recording wakes every recordTick, decodes what came
// in, places it on a timeline and writes the part of the timeline that is
// recordLag old.
const (
	recordTick = 100 * time.Millisecond
	// recordLag must cover the tick, a packet's own length and
	// recordTolerance, so that audio placed early is never already written.
	recordLag = 200 * time.Millisecond
	// recordTolerance is how far a channel's continuous position may drift
	// from arrival time (jitter, clock skew) before it is put back on
	// arrival time: 60 ms keeps the two channels within that of each other.
	recordTolerance = 3 * rtpcodec.FrameSamples
	// recordWindow is the span of samples per channel held before writing:
	// one second, comfortably more than recordLag + recordTick + tolerance.
	recordWindow = rtpcodec.ClockRate
	// recordIntakeChunks bounds the intake per tick: ten chunks arrive per
	// 100 ms for two 20 ms legs, so this rides out a writer stalled for
	// about a second before audio is dropped.
	recordIntakeChunks = 128
	// recordWriteSamples is how many stereo samples go to one Write.
	recordWriteSamples = 4 * rtpcodec.FrameSamples
)

const (
	channelCaller = 0
	channelAgent  = 1
)

// recordChunk is up to one frame of one leg's received audio, still
// G.711 encoded, with its arrival on the recording's clock.
type recordChunk struct {
	at      time.Duration
	channel uint8
	codec   rtpcodec.Codec
	n       uint8
	data    [rtpcodec.FrameSamples]byte
}

// recordIntake is a double buffer of preallocated chunks: the read loops
// fill one half under a short lock, and the recorder swaps halves and
// works on its half without the lock. A full intake drops and counts; it
// never makes a read loop wait.
type recordIntake struct {
	mu          sync.Mutex
	fill, spare []recordChunk
	dropped     atomic.Uint64 // samples
}

func newRecordIntake() recordIntake {
	return recordIntake{
		fill:  make([]recordChunk, 0, recordIntakeChunks),
		spare: make([]recordChunk, 0, recordIntakeChunks),
	}
}

// add copies payload, cut into frame-sized chunks. It runs on a read loop
// and must not allocate.
func (in *recordIntake) add(channel uint8, c rtpcodec.Codec, payload []byte, at time.Duration) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for len(payload) > 0 {
		if len(in.fill) == cap(in.fill) {
			in.dropped.Add(uint64(len(payload)))
			return
		}
		in.fill = in.fill[:len(in.fill)+1]
		chunk := &in.fill[len(in.fill)-1]
		n := copy(chunk.data[:], payload)
		chunk.at, chunk.channel, chunk.codec, chunk.n = at, channel, c, uint8(n)
		payload = payload[n:]
	}
}

// take returns what arrived since the last take. The slice stays valid
// until the next take.
func (in *recordIntake) take() []recordChunk {
	in.mu.Lock()
	defer in.mu.Unlock()
	full := in.fill
	in.fill, in.spare = in.spare[:0], full
	return full
}

// timeline holds the last second of each channel as 16-bit samples,
// indexed by absolute sample position modulo the window; slots are
// silenced again as soon as they are written out.
//
// Alignment: each channel continues where its previous chunk ended, so
// ordinary jitter causes no gaps or overlaps, unless that position has
// drifted more than recordTolerance from the chunk's arrival time (the
// leg went quiet, lost packets or runs on a skewed clock); then the
// chunk is placed by arrival time, leaving silence or overwriting. Both
// channels are measured on one clock, so they stay within the tolerance
// of each other however long the call.
type timeline struct {
	tracks  [2]track
	written int64 // samples per channel already written out

	late, resyncs atomic.Uint64
}

type track struct {
	pcm     [recordWindow]int16
	next    int64 // position where the next chunk continues
	started bool
}

// samplesAt converts a time on the recording's clock to a sample position.
func samplesAt(d time.Duration) int64 {
	return int64(d) * rtpcodec.ClockRate / int64(time.Second)
}

// place decodes chunk onto its channel's track.
func (tl *timeline) place(chunk *recordChunk) {
	tr := &tl.tracks[chunk.channel&1]
	n := int64(chunk.n)
	ideal := samplesAt(chunk.at) - n
	if drift := ideal - tr.next; !tr.started || drift > recordTolerance || drift < -recordTolerance {
		if tr.started {
			tl.resyncs.Add(1)
		}
		tr.started, tr.next = true, max(ideal, tl.written)
	}
	start := tr.next
	tr.next += n
	decode := chunk.codec.LinearTable()
	for i, code := range chunk.data[:n] {
		pos := start + int64(i)
		if pos < tl.written || pos >= tl.written+recordWindow {
			// Already written, or beyond the window after a stalled
			// writer: either way there is no slot for it.
			tl.late.Add(1)
			continue
		}
		tr.pcm[pos%recordWindow] = decode[code]
	}
}

// end is the position just after the last sample placed on any track.
func (tl *timeline) end() int64 {
	end := tl.written
	for i := range tl.tracks {
		if tl.tracks[i].started {
			end = max(end, tl.tracks[i].next)
		}
	}
	return end
}

// emit writes interleaved caller/agent samples from written up to upTo,
// using buf (a multiple of four bytes) for each Write.
func (tl *timeline) emit(w io.Writer, upTo int64, buf []byte) error {
	left, right := &tl.tracks[channelCaller].pcm, &tl.tracks[channelAgent].pcm
	for tl.written < upTo {
		n := min(upTo-tl.written, int64(len(buf)/4))
		for i := range n {
			slot := (tl.written + i) % recordWindow
			binary.LittleEndian.PutUint16(buf[4*i:], uint16(left[slot]))
			binary.LittleEndian.PutUint16(buf[4*i+2:], uint16(right[slot]))
			left[slot], right[slot] = 0, 0
		}
		if _, err := w.Write(buf[:4*n]); err != nil {
			return fmt.Errorf("media: record: %w", err)
		}
		tl.written += n
	}
	return nil
}
