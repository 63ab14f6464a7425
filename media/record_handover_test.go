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

// TestRecordingHandOver moves a recording from a caller-agent bridge to a
// caller-colleague bridge, as an attended transfer does: one file, the
// caller left throughout, the right channel switching from the agent to
// the colleague, and the time in between silence on the same timeline.
func TestRecordingHandOver(t *testing.T) {
	const colleagueHz = 2100
	c := newCall(t, rtpcodec.PCMU, rtpcodec.PCMU)
	// The colleague's leg runs on its own pacer, whose clock starts later:
	// the recording must put it on its own clock.
	colleaguePacer := startedPacer(t)
	colleaguePeer := newTestPeer(t, rtpcodec.PCMA, colleagueHz)
	colleagueLeg := NewStream(listenLoopback(t), StreamConfig{Codec: rtpcodec.PCMA, Remote: colleaguePeer.addr()}, nil)
	t.Cleanup(colleagueLeg.Close)
	colleagueLeg.Start(colleaguePacer)
	colleaguePeer.talkTo(colleagueLeg.LocalAddr())

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

	if got := first.DetachRecording(); got != rec {
		t.Fatalf("detach returned %p, want %p", got, rec)
	}
	if got := first.DetachRecording(); got != nil {
		t.Fatalf("second detach returned %p", got)
	}
	detachedAt := time.Since(started)
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
	attachedAt := time.Since(started)
	if err := second.AttachRecording(rec); err != nil {
		t.Fatal(err)
	}
	if err := second.AttachRecording(rec); !errors.Is(err, ErrRecording) {
		t.Fatalf("attach twice: %v", err)
	}
	from = c.callerPeer.count()
	waitFor(t, 5*time.Second, "a second with the colleague", func() bool { return c.callerPeer.tonePackets(from) >= 50 })
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	stoppedAt := time.Since(started)
	if err := second.AttachRecording(rec); !errors.Is(err, ErrRecordingStopped) {
		t.Fatalf("attach a stopped recording: %v", err)
	}
	st := rec.Stats()
	t.Logf("recording %+v; detached at %v, attached at %v, stopped at %v", st, detachedAt, attachedAt, stoppedAt)
	if st.DroppedFrames != 0 {
		t.Fatalf("dropped audio: %+v", st)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	left, right := audiotest.ParseStereoWAV(t, data, true)
	// Continuous timeline: the file is as long as the recording ran, give
	// or take the recorder's lag and a packet or two.
	if got := time.Duration(len(left)) * time.Second / rtpcodec.ClockRate; got < stoppedAt-300*time.Millisecond || got > stoppedAt+100*time.Millisecond {
		t.Fatalf("file holds %v of audio for %v of recording", got, stoppedAt)
	}
	at := func(d time.Duration) int { return int(int64(d) * rtpcodec.ClockRate / int64(time.Second)) }
	window := func(pcm []int16, from, to time.Duration) []int16 { return pcm[at(from):min(at(to), len(pcm))] }
	agentPart := func(pcm []int16) []int16 {
		return window(pcm, detachedAt/4, detachedAt-100*time.Millisecond)
	}
	colleaguePart := func(pcm []int16) []int16 {
		return window(pcm, attachedAt+200*time.Millisecond, stoppedAt-300*time.Millisecond)
	}
	audiotest.AssertTone(t, "left with the agent", agentPart(left), callerHz, agentHz)
	audiotest.AssertTone(t, "right with the agent", agentPart(right), agentHz, colleagueHz)
	audiotest.AssertTone(t, "left with the colleague", colleaguePart(left), callerHz, colleagueHz)
	audiotest.AssertTone(t, "right with the colleague", colleaguePart(right), colleagueHz, agentHz)
	gap := window(right, detachedAt+150*time.Millisecond, attachedAt-50*time.Millisecond)
	for i, v := range gap {
		if v != 0 {
			t.Fatalf("right channel not silent while nobody was bridged: sample %d is %d", i, v)
		}
	}
}
