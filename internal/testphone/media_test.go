package testphone

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testphone/rtpaudio"
)

func TestCallReceivesEchoedToneAsNonSilentAudio(t *testing.T) {
	ctx, call, far := placeCall(t, Config{}, "95598")

	if err := call.WaitAudio(ctx, 10); err != nil {
		t.Fatalf("WaitAudio: %v", err)
	}
	got := call.Received()
	if got.NonSilentFrames < 10 || got.PayloadTypes[rtpaudio.PayloadTypePCMU] < 10 {
		t.Errorf("stats = %+v, want >= 10 loud PCMU frames", got)
	}
	if got.SSRCs != 1 || got.SeqGaps != 0 {
		t.Errorf("SSRCs = %d, SeqGaps = %d, want 1 and 0", got.SSRCs, got.SeqGaps)
	}
	if want := far.conn.LocalAddr().String(); got.SourceAddr != want {
		t.Errorf("SourceAddr = %s, want %s", got.SourceAddr, want)
	}
	if got.GapMax <= 0 || got.GapP50 > got.GapP99 || got.GapP99 > got.GapMax {
		t.Errorf("gap percentiles out of order: p50 %v p99 %v max %v", got.GapP50, got.GapP99, got.GapMax)
	}
	if call.Codec() != "PCMU" || !strings.Contains(call.RemoteSDP(), "m=audio") {
		t.Errorf("Codec = %q, RemoteSDP = %q", call.Codec(), call.RemoteSDP())
	}
	if call.LocalRTPPort() == 0 {
		t.Error("LocalRTPPort = 0")
	}
}

func TestSendToneReplacesSilence(t *testing.T) {
	ctx, call, far := placeCall(t, Config{Codecs: []string{"PCMA"}}, "95598")

	if err := far.waitUntil(ctx, func(c *uasCall) bool { return len(c.packets) >= 5 }); err != nil {
		t.Fatalf("waiting for silence frames: %v", err)
	}
	far.mu.Lock()
	loudBefore := far.loud
	far.mu.Unlock()
	if loudBefore != 0 {
		t.Errorf("%d loud frames before SendTone, want silence", loudBefore)
	}
	call.SendTone(1000)
	if err := far.waitUntil(ctx, func(c *uasCall) bool { return c.loud >= 5 }); err != nil {
		t.Fatalf("waiting for tone at the UAS: %v", err)
	}
	if call.Codec() != "PCMA" || far.codec != rtpaudio.PayloadTypePCMA {
		t.Errorf("codec = %s / PT %d, want PCMA", call.Codec(), far.codec)
	}
}

func TestSendDTMFEmitsRFC4733EventWithThreeEndPackets(t *testing.T) {
	ctx, call, far := placeCall(t, Config{}, "95598")

	if err := call.SendDTMF('5'); err != nil {
		t.Fatalf("SendDTMF: %v", err)
	}
	events := waitEvents(t, ctx, far, 1)
	if len(events) != rtpaudio.DigitToneFrames+rtpaudio.DigitEndPackets {
		t.Fatalf("got %d event packets, want %d", len(events), rtpaudio.DigitToneFrames+rtpaudio.DigitEndPackets)
	}
	ends := 0
	for i, pkt := range events {
		ev, _ := rtpaudio.ParseEvent(pkt.Payload)
		if ev.Event != 5 || pkt.Timestamp != events[0].Timestamp {
			t.Errorf("packet %d: event %d ts %d, want 5 at ts %d", i, ev.Event, pkt.Timestamp, events[0].Timestamp)
		}
		if pkt.Marker != (i == 0) {
			t.Errorf("packet %d: marker %v", i, pkt.Marker)
		}
		if ev.End {
			ends++
		}
	}
	if ends != rtpaudio.DigitEndPackets {
		t.Errorf("end packets = %d, want %d", ends, rtpaudio.DigitEndPackets)
	}
	assertContinuousStream(t, far)
}

func TestSendDTMFStringSendsDigitsInOrder(t *testing.T) {
	ctx, call, far := placeCall(t, Config{}, "95598")

	if err := call.SendDTMFString("1#9", 40*time.Millisecond); err != nil {
		t.Fatalf("SendDTMFString: %v", err)
	}
	events := waitEvents(t, ctx, far, 3)
	var digits []uint8
	var lastTS uint32
	for i, pkt := range events {
		ev, _ := rtpaudio.ParseEvent(pkt.Payload)
		if i == 0 || pkt.Timestamp != lastTS {
			digits = append(digits, ev.Event)
			lastTS = pkt.Timestamp
		}
	}
	if want := []uint8{1, 11, 9}; !equalBytes(digits, want) {
		t.Errorf("digits = %v, want %v", digits, want)
	}
	if err := call.SendDTMF('x'); !errors.Is(err, ErrBadDigit) {
		t.Errorf("SendDTMF('x') = %v, want ErrBadDigit", err)
	}
}

// waitEvents waits until the UAS saw `digits` end packets and returns all
// telephone-event packets.
func waitEvents(t *testing.T, ctx context.Context, far *uasCall, digits int) []rtpPacketView {
	t.Helper()
	err := far.waitUntil(ctx, func(c *uasCall) bool {
		return countEnds(c) >= digits*rtpaudio.DigitEndPackets
	})
	if err != nil {
		t.Fatalf("waiting for %d digits: %v", digits, err)
	}
	far.mu.Lock()
	defer far.mu.Unlock()
	var out []rtpPacketView
	for _, pkt := range far.packets {
		if pkt.PayloadType == defaultDTMFPT {
			out = append(out, rtpPacketView{Payload: pkt.Payload, Timestamp: pkt.Timestamp, Marker: pkt.Marker})
		}
	}
	return out
}

type rtpPacketView struct {
	Payload   []byte
	Timestamp uint32
	Marker    bool
}

func countEnds(c *uasCall) int {
	n := 0
	for _, pkt := range c.packets {
		if ev, ok := rtpaudio.ParseEvent(pkt.Payload); ok && pkt.PayloadType == defaultDTMFPT && ev.End {
			n++
		}
	}
	return n
}

// assertContinuousStream checks that events took audio's place in the
// stream: one SSRC, no sequence gaps, timestamps never going backwards.
func assertContinuousStream(t *testing.T, far *uasCall) {
	t.Helper()
	far.mu.Lock()
	defer far.mu.Unlock()
	for i := 1; i < len(far.packets); i++ {
		prev, cur := far.packets[i-1], far.packets[i]
		if cur.SequenceNumber != prev.SequenceNumber+1 || cur.SSRC != prev.SSRC {
			t.Fatalf("packet %d: seq %d after %d (ssrc %x/%x)", i, cur.SequenceNumber, prev.SequenceNumber, cur.SSRC, prev.SSRC)
		}
		if int32(cur.Timestamp-prev.Timestamp) < 0 {
			t.Fatalf("packet %d: timestamp %d went back from %d", i, cur.Timestamp, prev.Timestamp)
		}
	}
}

func equalBytes(a, b []uint8) bool { return string(a) == string(b) }

func TestWaitPlaybackEndReturnsAfterPrompt(t *testing.T) {
	ctx, call, _ := placeCall(t, Config{}, numberPrompt)

	const quiet = 200 * time.Millisecond
	if err := call.WaitPlaybackEnd(ctx, quiet); err != nil {
		t.Fatalf("WaitPlaybackEnd: %v", err)
	}
	got := call.Received()
	if got.NonSilentFrames != promptFrames {
		t.Errorf("NonSilentFrames = %d, want the whole prompt (%d); %+v", got.NonSilentFrames, promptFrames, got)
	}
	if heardQuiet := time.Duration(got.SilentFrames) * rtpaudio.FrameInterval; heardQuiet < quiet {
		t.Errorf("returned after %v of silence, want >= %v", heardQuiet, quiet)
	}
	if err := call.WaitSilenceAfterAudio(ctx, quiet); err != nil {
		t.Errorf("WaitSilenceAfterAudio after a finished prompt: %v", err)
	}
}

func TestStopMediaKeepsDialog(t *testing.T) {
	ctx, call, far := placeCall(t, Config{}, "95598")

	if err := far.waitUntil(ctx, func(c *uasCall) bool { return len(c.packets) > 0 }); err != nil {
		t.Fatalf("no RTP before StopMedia: %v", err)
	}
	call.StopMedia()
	if err := call.SendDTMF('1'); !errors.Is(err, ErrMediaStopped) {
		t.Errorf("SendDTMF after StopMedia = %v, want ErrMediaStopped", err)
	}
	select {
	case <-call.Done():
		t.Fatal("StopMedia ended the dialog")
	default:
	}
	if err := call.Hangup(ctx); err != nil {
		t.Errorf("Hangup after StopMedia: %v", err)
	}
}
