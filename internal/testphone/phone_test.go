package testphone

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

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

// placeCall starts a UAS and a phone with cfg, and calls number there.
func placeCall(t *testing.T, cfg Config, number string) (context.Context, *Call, *uasCall) {
	t.Helper()
	ctx := testContext(t)
	uas := startUAS(t)
	call, far := dial(t, ctx, uas, newPhoneFor(t, uas, cfg), number)
	return ctx, call, far
}

func TestHoldAndUnholdReInvite(t *testing.T) {
	ctx, call, far := placeCall(t, Config{}, "95598")

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
	ctx, call, far := placeCall(t, Config{}, "95598")
	checkHangupSendsBye(t, ctx, call, far)
}

func TestServerByeClosesDone(t *testing.T) {
	ctx, call, far := placeCall(t, Config{}, "95598")
	checkServerByeEndsCall(t, ctx, call, far)
}

// checkHangupSendsBye hangs call up, whichever side placed it, and checks
// that Done is closed at once and that the BYE reached the UAS.
func checkHangupSendsBye(t *testing.T, ctx context.Context, call *Call, far *uasCall) {
	t.Helper()
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

// checkServerByeEndsCall has the UAS hang up and checks that call's Done
// closes and that hanging up afterwards is no error.
func checkServerByeEndsCall(t *testing.T, ctx context.Context, call *Call, far *uasCall) {
	t.Helper()
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
	ctx, call, far := placeCall(t, Config{Transport: "tcp"}, "95598")

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
	waitGoroutines(t, ctx, before)
}

// waitGoroutines polls until the goroutine count falls back to before.
func waitGoroutines(t *testing.T, ctx context.Context, before int) {
	t.Helper()
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
