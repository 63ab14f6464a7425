package testphone

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testphone/rtpaudio"
	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// testTimeout bounds every wait; tests finish far sooner when they pass.
const testTimeout = 10 * time.Second

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func startUAS(t *testing.T) *fakeUAS {
	t.Helper()
	uas := startFakeUAS(t)
	t.Cleanup(uas.Close)
	return uas
}

func newPhoneFor(t *testing.T, uas *fakeUAS, cfg Config) *Phone {
	t.Helper()
	cfg.Server = uas.UDPAddr()
	if strings.EqualFold(cfg.Transport, "tcp") {
		cfg.Server = uas.TCPAddr()
	}
	if cfg.User == "" {
		cfg.User = "13800000001"
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// dial places a call to the UAS's answering number and returns both ends.
func dial(t *testing.T, ctx context.Context, uas *fakeUAS, p *Phone, number string) (*Call, *uasCall) {
	t.Helper()
	call, err := p.Call(ctx, number)
	if err != nil {
		t.Fatalf("Call(%s): %v", number, err)
	}
	return call, uas.nextCall(ctx)
}

func TestCallReceivesEchoedToneAsNonSilentAudio(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	call, far := dial(t, ctx, uas, p, "95598")

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
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{Codecs: []string{"PCMA"}})
	call, far := dial(t, ctx, uas, p, "95598")

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
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	call, far := dial(t, ctx, uas, p, "95598")

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
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	call, far := dial(t, ctx, uas, p, "95598")

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

func TestHoldAndUnholdReInvite(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	call, far := dial(t, ctx, uas, p, "95598")

	if err := call.Hold(ctx); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if err := call.Unhold(ctx); err != nil {
		t.Fatalf("Unhold: %v", err)
	}
	dir, err := call.ReInvite(ctx, DirInactive)
	if err != nil || dir != DirInactive {
		t.Fatalf("ReInvite(inactive) = %q, %v", dir, err)
	}
	far.mu.Lock()
	got := strings.Join(far.directions, ",")
	far.mu.Unlock()
	if got != "sendonly,sendrecv,inactive" {
		t.Errorf("UAS saw offers %s", got)
	}
	if !strings.Contains(call.RemoteSDP(), "a=inactive") {
		t.Errorf("RemoteSDP not updated: %q", call.RemoteSDP())
	}
	if err := call.WaitAudio(ctx, 1); err != nil { // media still flows after re-INVITEs
		t.Fatalf("WaitAudio after re-INVITE: %v", err)
	}
}

func TestHangupSendsByeAndClosesDone(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	call, far := dial(t, ctx, uas, p, "95598")

	if err := call.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	select {
	case <-call.Done():
	default:
		t.Fatal("Done not closed after Hangup")
	}
	select {
	case <-far.stopped: // the UAS stops its media when BYE arrives
	case <-ctx.Done():
		t.Fatal("UAS never got the BYE")
	}
}

func TestServerByeClosesDone(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	call, far := dial(t, ctx, uas, p, "95598")

	if err := far.hangup(ctx); err != nil {
		t.Fatalf("UAS BYE: %v", err)
	}
	select {
	case <-call.Done():
	case <-ctx.Done():
		t.Fatal("Done not closed after server BYE")
	}
	if err := call.Hangup(ctx); err != nil {
		t.Errorf("Hangup after server BYE = %v, want nil", err)
	}
}

func TestCallAndCancelYields487(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})

	code, err := p.CallAndCancel(ctx, numberRing, 20*time.Millisecond)
	if err != nil || code != 487 {
		t.Fatalf("CallAndCancel = %d, %v; want 487", code, err)
	}
}

func TestRejectedCallReturnsStatusError(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})

	_, err := p.Call(ctx, numberBusy)
	var status *StatusError
	if !errors.As(err, &status) || status.Code != 486 {
		t.Fatalf("Call(busy) = %v, want StatusError 486", err)
	}
}

func TestNoCommonCodecGets488(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)

	p := newPhoneFor(t, uas, Config{Codecs: []string{"G729"}})
	_, err := p.Call(ctx, "95598")
	var status *StatusError
	if !errors.As(err, &status) || status.Code != 488 {
		t.Fatalf("Call with G729 only = %v, want StatusError 488", err)
	}

	body := []byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 4000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n")
	code, err := p.RawInvite(ctx, "95598", body, contentTypeSDP)
	if err != nil || code != 488 {
		t.Fatalf("RawInvite(G722) = %d, %v; want 488", code, err)
	}
	p2 := newPhoneFor(t, uas, Config{})
	good, err := p2.offer(1, 1, 4000, DirSendRecv)
	if err != nil {
		t.Fatal(err)
	}
	if code, err := p2.RawInvite(ctx, "95598", good, contentTypeSDP); err != nil || code != 200 {
		t.Fatalf("RawInvite(good SDP) = %d, %v; want 200 then BYE", code, err)
	}
}

func TestOptions(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	if code, err := p.Options(ctx); err != nil || code != 200 {
		t.Fatalf("Options = %d, %v", code, err)
	}
}

func TestSendINFO(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	call, _ := dial(t, ctx, uas, p, "95598")

	if err := call.SendINFO('7', "dtmf-relay"); err != nil {
		t.Fatalf("SendINFO dtmf-relay: %v", err)
	}
	if err := call.SendINFO('#', "dtmf"); err != nil {
		t.Fatalf("SendINFO dtmf: %v", err)
	}
	got := uas.infoLog()
	want := []string{"application/dtmf-relay|Signal=7\r\nDuration=100\r\n", "application/dtmf|#"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("UAS INFO log = %q, want %q", got, want)
	}
}

func TestCallOverTCP(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{Transport: "tcp"})
	call, far := dial(t, ctx, uas, p, "95598")

	if err := call.WaitAudio(ctx, 3); err != nil {
		t.Fatalf("WaitAudio: %v", err)
	}
	if err := call.Hold(ctx); err != nil {
		t.Fatalf("Hold over TCP: %v", err)
	}
	if err := far.hangup(ctx); err != nil {
		t.Fatalf("UAS BYE over TCP: %v", err)
	}
	select {
	case <-call.Done():
	case <-ctx.Done():
		t.Fatal("Done not closed after server BYE over TCP")
	}
}

func TestWaitPlaybackEndReturnsAfterPrompt(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	call, _ := dial(t, ctx, uas, p, numberPrompt)

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
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{})
	call, far := dial(t, ctx, uas, p, "95598")

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

func TestCloseHangsUpAndLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx := testContext(t)
	uas := startFakeUAS(t)

	for _, transport := range []string{"udp", "tcp"} {
		cfg := Config{Server: uas.UDPAddr(), Transport: transport, User: "13800000002"}
		if transport == "tcp" {
			cfg.Server = uas.TCPAddr()
		}
		p, err := New(cfg)
		if err != nil {
			t.Fatalf("New(%s): %v", transport, err)
		}
		call, err := p.Call(ctx, "95598")
		if err != nil {
			t.Fatalf("Call(%s): %v", transport, err)
		}
		far := uas.nextCall(ctx)
		if err := call.SendDTMF('3'); err != nil {
			t.Fatalf("SendDTMF(%s): %v", transport, err)
		}
		if err := p.Close(); err != nil {
			t.Fatalf("Close(%s): %v", transport, err)
		}
		select {
		case <-far.stopped: // Close sent BYE for the call still up
		case <-ctx.Done():
			t.Fatalf("%s: UAS never got a BYE from Close", transport)
		}
		if _, err := p.Call(ctx, "95598"); !errors.Is(err, ErrClosed) {
			t.Errorf("Call after Close = %v, want ErrClosed", err)
		}
	}
	uas.Close()

	for runtime.NumGoroutine() > before {
		select {
		case <-ctx.Done():
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left (was %d):\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		case <-time.After(10 * time.Millisecond): // polling for exits, not synchronising
		}
	}
}

// offer is the SDP p offers on a port of the test's choosing.
func (p *Phone) offer(sessionID, version uint64, port int, direction string) ([]byte, error) {
	return sdpoffer.Build(sdpoffer.Params{
		SessionID: sessionID, Version: version,
		IP: p.cfg.LocalIP, Port: port,
		Codecs: p.codecs, DTMFPT: p.dtmfPT, Direction: direction,
	})
}
