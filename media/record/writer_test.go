package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/audiotest"
	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wav"
)

func chunk(channel uint8, c rtpcodec.Codec, payload []byte, at time.Duration) *recordChunk {
	ch := &recordChunk{at: at, channel: channel, codec: c, n: uint8(len(payload))}
	copy(ch.data[:], payload)
	return ch
}

func TestTimelineAlignsByArrival(t *testing.T) {
	var tl timeline
	frame := func(c rtpcodec.Codec, v int16) []byte {
		out := make([]byte, rtpcodec.FrameSamples)
		pcm := make([]int16, rtpcodec.FrameSamples)
		fill16(pcm, v)
		c.Encode(out, pcm)
		return out
	}
	// The caller's frames arrive with 5 ms of jitter: they still butt up.
	tl.place(chunk(Left, rtpcodec.PCMU, frame(rtpcodec.PCMU, 1000), 20*ms))
	tl.place(chunk(Left, rtpcodec.PCMU, frame(rtpcodec.PCMU, 2000), 45*ms))
	// The agent's single frame arrives 10 ms later than the caller's first.
	tl.place(chunk(Right, rtpcodec.PCMA, frame(rtpcodec.PCMA, -3000), 30*ms))
	// The caller goes quiet for half a second: the next frame is placed by
	// arrival, with silence in between.
	tl.place(chunk(Left, rtpcodec.PCMU, frame(rtpcodec.PCMU, 4000), 560*ms))
	if tl.resyncs.Load() != 1 {
		t.Fatalf("resyncs %d, want 1", tl.resyncs.Load())
	}
	var out bytes.Buffer
	var buf [4 * recordWriteSamples]byte
	if err := tl.emit(&out, tl.end(), buf[:]); err != nil {
		t.Fatal(err)
	}
	left, right := splitStereo(out.Bytes())
	if len(left) != 4480 {
		t.Fatalf("wrote %d samples, want 4480 (560 ms)", len(left))
	}
	expect := func(what string, pcm []int16, from, to int, want int16) {
		t.Helper()
		for i := from; i < to; i++ {
			if d := int(pcm[i]) - int(want); d > want16Tolerance(want) || d < -want16Tolerance(want) {
				t.Fatalf("%s sample %d = %d, want about %d", what, i, pcm[i], want)
			}
		}
	}
	expect("caller", left, 0, 160, 1000)
	expect("caller", left, 160, 320, 2000)
	expect("caller", left, 320, 4320, 0)
	expect("caller", left, 4320, 4480, 4000)
	expect("agent", right, 0, 80, 0)
	expect("agent", right, 80, 240, -3000)
	expect("agent", right, 240, 4480, 0)

	// Audio for positions already written is late; its place is gone.
	tl.place(chunk(Right, rtpcodec.PCMA, frame(rtpcodec.PCMA, 5), 60*ms))
	if tl.late.Load() != rtpcodec.FrameSamples {
		t.Fatalf("late %d samples, want %d", tl.late.Load(), rtpcodec.FrameSamples)
	}
	// Written slots were silenced for their next turn round the window.
	if err := tl.emit(&out, tl.written+recordWindow, buf[:]); err != nil {
		t.Fatal(err)
	}
	left, right = splitStereo(out.Bytes()[4*4480:])
	expect("caller after wrap", left, 0, recordWindow, 0)
	expect("agent after wrap", right, 0, recordWindow, 0)
}

func fill16(pcm []int16, v int16) {
	for i := range pcm {
		pcm[i] = v
	}
}

// want16Tolerance is G.711's quantisation step near v, roughly.
func want16Tolerance(v int16) int {
	return int(math.Abs(float64(v)))/16 + 16
}

func splitStereo(data []byte) (left, right []int16) {
	for i := 0; i+4 <= len(data); i += 4 {
		left = append(left, int16(binary.LittleEndian.Uint16(data[i:])))
		right = append(right, int16(binary.LittleEndian.Uint16(data[i+2:])))
	}
	return left, right
}

// testRecording builds a writer without a header or goroutine, at
// recording time 0.
func testRecording(w io.Writer) *Writer {
	return &Writer{out: w, intake: newRecordIntake()}
}

func feedTones(rec *Writer, frames int) {
	caller := encoded(rtpcodec.PCMU, mediatest.Tone(500, 8000, time.Duration(frames)*rtpcodec.FrameDuration))
	agent := encoded(rtpcodec.PCMA, mediatest.Tone(1300, 8000, time.Duration(frames)*rtpcodec.FrameDuration))
	for i := range frames {
		at := time.Duration(i+1) * rtpcodec.FrameDuration
		frame := func(b []byte) []byte { return b[i*rtpcodec.FrameSamples : (i+1)*rtpcodec.FrameSamples] }
		rec.intake.add(Left, rtpcodec.PCMU, frame(caller), at)
		rec.intake.add(Right, rtpcodec.PCMA, frame(agent), at+3*ms)
	}
}

// encoded is pcm in c's law, as a prompt's frames hold it.
func encoded(c rtpcodec.Codec, pcm []int16) []byte {
	out := make([]byte, len(pcm))
	c.Encode(out, pcm)
	return out
}

func TestRecordingPatchesFileHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := testRecording(f)
	rec.closer = f
	if err := rec.writeHeader(); err != nil {
		t.Fatal(err)
	}
	feedTones(rec, 25)
	if err := rec.step(samplesAt(300*ms - recordLag)); err != nil {
		t.Fatal(err)
	}
	if got := rec.Stats().Frames; got != 5 {
		t.Fatalf("wrote %d frames 200 ms behind a 300 ms clock, want 5", got)
	}
	feedTones(rec, 0)
	if err := rec.finish(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	left, right := audiotest.ParseStereoWAV(t, data, true)
	if len(left) != 25*rtpcodec.FrameSamples+24 { // the agent's 3 ms offset, rounded down
		t.Fatalf("%d samples per channel", len(left))
	}
	audiotest.AssertTone(t, "left", left[:25*rtpcodec.FrameSamples], 500, 1300)
	audiotest.AssertTone(t, "right", right[24:], 1300, 500)
	if st := rec.Stats(); st.Frames != 25 || st.DroppedFrames != 0 || st.LateFrames != 0 || st.Resyncs != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRecordingToAStream(t *testing.T) {
	var out bytes.Buffer
	rec := testRecording(&out)
	if err := rec.writeHeader(); err != nil {
		t.Fatal(err)
	}
	feedTones(rec, 10)
	if err := rec.finish(); err != nil {
		t.Fatal(err)
	}
	left, _ := audiotest.ParseStereoWAV(t, out.Bytes(), false)
	pcm, rate, err := wav.Decode(bytes.NewReader(out.Bytes()))
	if err != nil || rate != rtpcodec.ClockRate || len(pcm) != len(left) {
		t.Fatalf("DecodeWAV of an unknown-size recording: %d samples at %d Hz, %v", len(pcm), rate, err)
	}
}

func TestRecordingIntakeDropsWhenFull(t *testing.T) {
	rec := testRecording(io.Discard)
	feedTones(rec, recordIntakeChunks) // two chunks per frame: half fit
	if got := rec.Stats().DroppedFrames; got != recordIntakeChunks {
		t.Fatalf("dropped %d frames, want %d", got, recordIntakeChunks)
	}
	if got := len(rec.intake.take()); got != recordIntakeChunks {
		t.Fatalf("took %d chunks", got)
	}
	// Longer payloads are cut into frame-sized chunks.
	rec.intake.add(Left, rtpcodec.PCMU, make([]byte, 400), 0)
	if got := rec.intake.take(); len(got) != 3 || got[2].n != 80 {
		t.Fatalf("a 50 ms payload became %d chunks", len(got))
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{ after int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.after -= len(b); w.after < 0 {
		return 0, errDiskFull
	}
	return len(b), nil
}

func TestRecordingWriteErrorIsKept(t *testing.T) {
	rec := testRecording(&failingWriter{after: wavHeaderSize})
	if err := rec.writeHeader(); err != nil {
		t.Fatal(err)
	}
	feedTones(rec, 5)
	rec.err = rec.step(samplesAt(time.Second))
	if !errors.Is(rec.err, errDiskFull) {
		t.Fatalf("step: %v", rec.err)
	}
	feedTones(rec, 5)
	if err := rec.finish(); !errors.Is(err, errDiskFull) {
		t.Fatalf("finish after a write error: %v", err)
	}
	if len(rec.intake.fill) != 0 {
		t.Fatal("intake not drained after a write error")
	}
}

// TestIntakeDoesNotAllocate holds the read loops' side of a recording to
// what the engine needs on every packet: copying a frame into the intake,
// and the writer taking the intake, allocate nothing.
func TestIntakeDoesNotAllocate(t *testing.T) {
	rec := testRecording(io.Discard)
	frame := encoded(rtpcodec.PCMU, mediatest.Tone(500, 8000, rtpcodec.FrameDuration))
	allocs := testing.AllocsPerRun(500, func() {
		rec.Add(Left, rtpcodec.PCMU, frame, 0)
		if len(rec.intake.take()) != 1 {
			t.Fatal("the frame did not reach the intake")
		}
	})
	if allocs != 0 {
		t.Fatalf("the intake allocates %v times per frame", allocs)
	}
}
