package media

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/audiotest"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// handOverTimes are when, from the start of the recording, it was
// detached from the first bridge, attached to the second and stopped.
type handOverTimes struct{ detached, attached, stopped time.Duration }

// TestRecordingHandOver moves a recording from a caller-agent bridge to a
// caller-colleague bridge, as an attended transfer does: one file, the
// caller left throughout, the right channel switching from the agent to
// the colleague, and the time in between silence on the same timeline.
func TestRecordingHandOver(t *testing.T) {
	const colleagueHz = 2100
	c := newCall(t, rtpcodec.PCMU, rtpcodec.PCMU)
	colleagueLeg := newColleagueLeg(t, colleagueHz)

	first, err := Bridge(c.callerLeg, c.agentLeg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "call.wav")
	started := time.Now()
	rec, err := first.StartRecordingFile(path)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "a second with the agent", func() bool { return c.callerPeer.tonePackets(0) >= 50 })

	var at handOverTimes
	detachTwice(t, first, rec)
	at.detached = time.Since(started)
	first.Close() // must not stop the detached recording
	// Half a second with nobody bridged, counted in the caller's packets.
	from := c.callerPeer.count()
	waitFor(t, 5*time.Second, "a pause", func() bool { return c.callerPeer.count() >= from+25 })

	second, err := Bridge(c.callerLeg, colleagueLeg)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if err := first.AttachRecording(rec); !errors.Is(err, ErrBridgeClosed) {
		t.Fatalf("attach to a closed bridge: %v", err)
	}
	at.attached = time.Since(started)
	attachOnce(t, second, rec)
	from = c.callerPeer.count()
	waitFor(t, 5*time.Second, "a second with the colleague", func() bool { return c.callerPeer.tonePackets(from) >= 50 })
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	at.stopped = time.Since(started)
	if err := second.AttachRecording(rec); !errors.Is(err, ErrRecordingStopped) {
		t.Fatalf("attach a stopped recording: %v", err)
	}
	st := rec.Stats()
	t.Logf("recording %+v; detached at %v, attached at %v, stopped at %v", st, at.detached, at.attached, at.stopped)
	if st.DroppedFrames != 0 {
		t.Fatalf("dropped audio: %+v", st)
	}
	checkHandOverFile(t, path, at, colleagueHz)
}

// newColleagueLeg is a started leg to a peer speaking hz. It runs on a
// pacer of its own, whose clock starts later than the call's: the
// recording must put it on its own clock.
func newColleagueLeg(t *testing.T, hz float64) *Stream {
	colleaguePacer := startedPacer(t)
	colleaguePeer := newTestPeer(t, rtpcodec.PCMA, hz)
	colleagueLeg := NewStream(listenLoopback(t), StreamConfig{Codec: rtpcodec.PCMA, Remote: colleaguePeer.addr()}, nil)
	t.Cleanup(colleagueLeg.Close)
	colleagueLeg.Start(colleaguePacer)
	colleaguePeer.talkTo(colleagueLeg.LocalAddr())
	return colleagueLeg
}

// detachTwice detaches rec from h; a second detach finds nothing.
func detachTwice(t *testing.T, h *BridgeHandle, rec *Recording) {
	t.Helper()
	if got := h.DetachRecording(); got != rec {
		t.Fatalf("detach returned %p, want %p", got, rec)
	}
	if got := h.DetachRecording(); got != nil {
		t.Fatalf("second detach returned %p", got)
	}
}

// attachOnce attaches rec to h; attaching it again is refused.
func attachOnce(t *testing.T, h *BridgeHandle, rec *Recording) {
	t.Helper()
	if err := h.AttachRecording(rec); err != nil {
		t.Fatal(err)
	}
	if err := h.AttachRecording(rec); !errors.Is(err, ErrRecording) {
		t.Fatalf("attach twice: %v", err)
	}
}

// checkHandOverFile checks the recording's file: one continuous timeline,
// the caller on the left throughout, the agent and then the colleague
// (colleagueHz) on the right, and silence on the right between them.
func checkHandOverFile(t *testing.T, path string, at handOverTimes, colleagueHz float64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	left, right := audiotest.ParseStereoWAV(t, data, true)
	// Continuous timeline: the file is as long as the recording ran, give
	// or take the recorder's lag and a packet or two.
	if got := time.Duration(len(left)) * time.Second / rtpcodec.ClockRate; got < at.stopped-300*time.Millisecond || got > at.stopped+100*time.Millisecond {
		t.Fatalf("file holds %v of audio for %v of recording", got, at.stopped)
	}
	sample := func(d time.Duration) int { return int(int64(d) * rtpcodec.ClockRate / int64(time.Second)) }
	window := func(pcm []int16, from, to time.Duration) []int16 { return pcm[sample(from):min(sample(to), len(pcm))] }
	agentPart := func(pcm []int16) []int16 {
		return window(pcm, at.detached/4, at.detached-100*time.Millisecond)
	}
	colleaguePart := func(pcm []int16) []int16 {
		return window(pcm, at.attached+200*time.Millisecond, at.stopped-300*time.Millisecond)
	}
	audiotest.AssertTone(t, "left with the agent", agentPart(left), callerHz, agentHz)
	audiotest.AssertTone(t, "right with the agent", agentPart(right), agentHz, colleagueHz)
	audiotest.AssertTone(t, "left with the colleague", colleaguePart(left), callerHz, colleagueHz)
	audiotest.AssertTone(t, "right with the colleague", colleaguePart(right), colleagueHz, agentHz)
	gap := window(right, at.detached+150*time.Millisecond, at.attached-50*time.Millisecond)
	for i, v := range gap {
		if v != 0 {
			t.Fatalf("right channel not silent while nobody was bridged: sample %d is %d", i, v)
		}
	}
}
