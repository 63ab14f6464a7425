package app

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

const e2eConfig = "testdata/e2e.yaml"

func TestCallHearsPacedGreeting(t *testing.T) {
	h := start(t, e2eConfig, nil)
	c := h.dial(h.phone("udp"), "95598")
	if c.Codec() != "PCMU" {
		t.Errorf("codec %s, want PCMU (the caller's first choice)", c.Codec())
	}
	if err := c.WaitAudio(ctxT(t, 5*time.Second), 10); err != nil {
		t.Fatalf("no greeting audio: %v", err)
	}
	time.Sleep(time.Second) // collect a second of packets to judge pacing
	st := c.Received()
	if st.SSRCs != 1 || st.SeqGaps != 0 {
		t.Errorf("stream: %d SSRCs, %d sequence gaps", st.SSRCs, st.SeqGaps)
	}
	if st.PayloadTypes[0] == 0 || len(st.PayloadTypes) != 1 {
		t.Errorf("payload types %v, want only PCMU (0)", st.PayloadTypes)
	}
	// Paced 20 ms frames: the median gap sits at 20 ms. The tail is left to
	// the benchmark; a noisy CI machine must not fail this test.
	if st.GapP50 < 15*time.Millisecond || st.GapP50 > 25*time.Millisecond {
		t.Errorf("median packet gap %v, want about 20ms", st.GapP50)
	}
	if st.Packets < 40 {
		t.Errorf("only %d packets", st.Packets)
	}
	if err := c.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	end := h.events.waitEnd(t, c.CallID())
	if end.Result != call.ResultAbandonedInIVR || end.HangupBy != call.HangupByCaller {
		t.Errorf("end %+v, want abandoned in IVR by caller", end)
	}
	h.waitIdle()
	if got := h.metric("hotline_calls_total", "result", "abandoned_in_ivr"); got != 1 {
		t.Errorf("abandoned_in_ivr = %v, want 1", got)
	}
	if got := h.metric("hotline_answer_delay_seconds"); got != 1 {
		t.Errorf("answer delay samples = %v, want 1", got)
	}
	if got := h.metric("hotline_rtp_send_lateness_seconds"); got < 40 {
		t.Errorf("send lateness samples = %v, want one per packet", got)
	}
}

// walk dials, waits for the menu, presses digits and returns the end event
// once the server hung up.
func walk(t *testing.T, h *harness, transport string, steps func(c *testphone.Call, id string)) call.Event {
	t.Helper()
	c := h.dial(h.phone(transport), "95598")
	id := c.CallID()
	h.events.waitNode(t, id, "menu")
	steps(c, id)
	end := h.events.waitEnd(t, id)
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("server did not hang up; path %v", h.events.path(id))
	}
	return end
}

func press(t *testing.T, c *testphone.Call, digits string) {
	t.Helper()
	if err := c.SendDTMFString(digits, 60*time.Millisecond); err != nil {
		t.Fatalf("dtmf %q: %v", digits, err)
	}
}

func TestMenuBranches(t *testing.T) {
	h := start(t, e2eConfig, nil)
	cases := menuBranches(h)
	var wg sync.WaitGroup
	for _, tc := range cases {
		wg.Add(1)
		t.Run(tc.name, func(t *testing.T) {
			defer wg.Done()
			t.Parallel()
			transport := "udp"
			if strings.HasPrefix(tc.name, "language") {
				transport = "tcp"
			}
			end := walk(t, h, transport, func(c *testphone.Call, id string) { tc.steps(t, c, id) })
			if got := pathString(h.events.path(end.CallID)); got != tc.wantPath {
				t.Errorf("path %s, want %s", got, tc.wantPath)
			}
			if end.Result != tc.result || end.HangupBy != call.HangupByServer {
				t.Errorf("end: result %s by %s, want %s by server", end.Result, end.HangupBy, tc.result)
			}
		})
	}
}

// menuBranch is one way through the e2e menu: what the caller does, the
// path the call must take and how it must end.
type menuBranch struct {
	name     string
	steps    func(t *testing.T, c *testphone.Call, id string)
	wantPath string
	result   call.Result
}

// menuBranches are the ways through the e2e menu TestMenuBranches walks.
func menuBranches(h *harness) []menuBranch {
	return []menuBranch{
		{
			name:     "self service",
			steps:    func(t *testing.T, c *testphone.Call, id string) { press(t, c, "1") },
			wantPath: "greeting>notice>menu>served",
			result:   call.ResultSelfService,
		},
		{
			name:     "info dtmf-relay",
			steps:    func(t *testing.T, c *testphone.Call, id string) { infoDigit(t, c, '1', "dtmf-relay") },
			wantPath: "greeting>notice>menu>served",
			result:   call.ResultSelfService,
		},
		{
			name:     "info dtmf",
			steps:    func(t *testing.T, c *testphone.Call, id string) { infoDigit(t, c, '1', "dtmf") },
			wantPath: "greeting>notice>menu>served",
			result:   call.ResultSelfService,
		},
		{
			name: "account number confirmed then queue without agents",
			steps: func(t *testing.T, c *testphone.Call, id string) {
				press(t, c, "2")
				h.events.waitNode(t, id, "account")
				press(t, c, "1234567890")
				// The read-back: you_entered + ten digits + confirm_reenter.
				waitQuiet(t, c)
				press(t, c, "1")
			},
			wantPath: "greeting>notice>menu>account>queue",
			result:   call.ResultBlocked,
		},
		{
			name:     "business hours open goes to the queue",
			steps:    func(t *testing.T, c *testphone.Call, id string) { press(t, c, "3") },
			wantPath: "greeting>notice>menu>hours>queue",
			result:   call.ResultBlocked,
		},
		{
			name: "language choice then self service",
			steps: func(t *testing.T, c *testphone.Call, id string) {
				press(t, c, "9")
				h.events.waitNode(t, id, "lang")
				press(t, c, "3")
				h.events.waitNodeAfter(t, id, "set_ko", "menu")
				press(t, c, "1")
			},
			wantPath: "greeting>notice>menu>lang>set_ko>menu>served",
			result:   call.ResultSelfService,
		},
		{
			name: "invalid digits until on_fail",
			steps: func(t *testing.T, c *testphone.Call, id string) {
				press(t, c, "7")
				waitQuiet(t, c)
				press(t, c, "8")
				waitQuiet(t, c)
				press(t, c, "7")
			},
			wantPath: "greeting>notice>menu>bye",
			result:   call.ResultAbandonedInIVR,
		},
	}
}

func infoDigit(t *testing.T, c *testphone.Call, d rune, kind string) {
	t.Helper()
	if err := c.SendINFO(d, kind); err != nil {
		t.Fatalf("INFO: %v", err)
	}
}

// waitQuiet waits until the prompt being played has finished.
func waitQuiet(t *testing.T, c *testphone.Call) {
	t.Helper()
	if err := c.WaitPlaybackEnd(ctxT(t, 20*time.Second), 300*time.Millisecond); err != nil {
		t.Fatalf("prompt did not finish: %v", err)
	}
}

func TestSilentCallerIsAskedAgainThenReleased(t *testing.T) {
	h := start(t, e2eConfig, nil)
	c := h.dial(h.phone("udp"), "95599")
	end := h.events.waitEnd(t, c.CallID())
	if end.Result != call.ResultAbandonedInIVR || end.HangupBy != call.HangupByServer {
		t.Errorf("end %+v", end)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("no BYE from the server")
	}
	// ask, hello_help + ask again, cannot_hear: at least three prompts heard.
	if st := c.Received(); st.NonSilentFrames < 3*20 {
		t.Errorf("heard only %d frames of audio", st.NonSilentFrames)
	}
}

func TestCancelBeforeAnswer(t *testing.T) {
	h := start(t, e2eConfig, func(c *config.Config) { c.SIP.AnswerDelay = 2 * time.Second })
	code, err := h.phone("udp").CallAndCancel(ctxT(t, 10*time.Second), "95598", 200*time.Millisecond)
	if err != nil || code != 487 {
		t.Fatalf("cancel: code %d err %v, want 487", code, err)
	}
	h.waitIdle()
	if got := h.metric("hotline_calls_total", "result", "abandoned_in_ivr"); got != 1 {
		t.Errorf("abandoned_in_ivr = %v", got)
	}
}

func TestRefusals(t *testing.T) {
	h := start(t, e2eConfig, func(c *config.Config) { c.SIP.MaxCalls = 1 })
	p := h.phone("udp")
	ctx := ctxT(t, 10*time.Second)

	_, err := p.Call(ctx, "12345")
	wantStatus(t, "unknown number", err, 404)

	g722 := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n"
	code, err := p.RawInvite(ctx, "95598", []byte(g722), "application/sdp")
	if err != nil || code != 488 {
		t.Errorf("no common codec: code %d err %v, want 488", code, err)
	}
	code, err = p.RawInvite(ctx, "95598", []byte("this is not sdp"), "application/sdp")
	if err != nil || code != 400 {
		t.Errorf("garbage SDP: code %d err %v, want 400", code, err)
	}

	first := h.dial(p, "95598")
	_, err = h.phone("udp").Call(ctx, "95598")
	wantStatus(t, "channel limit", err, 503)
	if got := h.metric("hotline_calls_total", "result", "blocked"); got != 1 {
		t.Errorf("blocked = %v, want 1", got)
	}
	if code, err := p.Options(ctx); err != nil || code != 200 {
		t.Errorf("OPTIONS: %d %v", code, err)
	}
	_ = first.Hangup(ctx)
}

func wantStatus(t *testing.T, what string, err error, code int) {
	t.Helper()
	var se *testphone.StatusError
	if !errors.As(err, &se) || se.Code != code {
		t.Errorf("%s: got %v, want SIP %d", what, err, code)
	}
}

func TestRTPInactivityHangsUp(t *testing.T) {
	h := start(t, e2eConfig, nil)
	c := h.dial(h.phone("udp"), "95598")
	c.StopMedia()
	end := h.events.waitEnd(t, c.CallID())
	if end.HangupBy != call.HangupByServer {
		t.Errorf("end %+v, want the server to hang up", end)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("no BYE after RTP inactivity")
	}
}

func TestHoldStopsOurAudio(t *testing.T) {
	h := start(t, e2eConfig, nil)
	c := h.dial(h.phone("udp"), "95598")
	if err := c.WaitAudio(ctxT(t, 5*time.Second), 5); err != nil {
		t.Fatal(err)
	}
	if err := c.Hold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	before := c.Received().Packets
	time.Sleep(300 * time.Millisecond)
	if got := c.Received().Packets - before; got > 1 {
		t.Errorf("%d packets received while holding (the server answered recvonly)", got)
	}
	if err := c.Unhold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("unhold: %v", err)
	}
	before = c.Received().Packets
	time.Sleep(300 * time.Millisecond)
	if got := c.Received().Packets - before; got < 5 {
		t.Errorf("only %d packets after resume", got)
	}
}

func TestDrainRefusesNewCallsAndLetsCallsFinish(t *testing.T) {
	h := start(t, e2eConfig, nil)
	c := h.dial(h.phone("udp"), "95598")
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.srv.Shutdown(ctxT(t, 5*time.Second))
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !h.srv.sip.Draining() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	_, err := h.phone("udp").Call(ctxT(t, 5*time.Second), "95598")
	wantStatus(t, "while draining", err, 503)
	select {
	case <-done:
		t.Fatal("shutdown did not wait for the call in progress")
	case <-time.After(200 * time.Millisecond):
	}
	_ = c.Hangup(ctxT(t, 5*time.Second))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown did not finish after the last call ended")
	}
}
