package sip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/freeport"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/portpool"
)

// SIPp, a SIP tool no one here wrote, plays the carrier against an endpoint
// whose calls simply wait for their end: late offer, PRACK, session timers
// and hold from the caller's side. The scenarios live in test/sipp.

const sipScenarioDir = "../test/sipp"

// sippEndpoint is an endpoint under SIPp and what its calls ended with.
type sippEndpoint struct {
	*Endpoint
	reasons chan string
	expired atomic.Int32
	// setup is how long the last call took from INVITE to its handler.
	setup atomic.Int64
}

// startSIPpEndpoint runs an endpoint on loopback with a 1 s RTP inactivity
// timeout: a call survives only while RTP flows, or while it is on hold.
func startSIPpEndpoint(t *testing.T, edit func(*Config)) *sippEndpoint {
	t.Helper()
	se := &sippEndpoint{reasons: make(chan string, 4)}
	cfg := Config{
		Listen:            netip.MustParseAddrPort("127.0.0.1:0"),
		Transports:        []string{"udp"},
		MaxCalls:          4,
		RTPAdvertise:      netip.MustParseAddr("127.0.0.1"),
		InactivityTimeout: time.Second,
		IsHotline:         func(n string) bool { return n == "95598" },
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnSessionExpired:  func() { se.expired.Add(1) },
	}
	if edit != nil {
		edit(&cfg)
	}
	ports, err := portpool.New(netip.MustParseAddr("127.0.0.1"), 43200, 43299)
	if err != nil {
		t.Fatal(err)
	}
	pacer := media.NewPacer()
	pacer.Start()
	e, err := New(cfg, ports, pacer, nil, func(ctx context.Context, c *Call) {
		se.setup.Store(int64(time.Since(c.Arrived)))
		select {
		case <-c.Done():
			se.reasons <- c.EndReason()
		case <-ctx.Done():
		}
	})
	if err == nil {
		err = e.Start()
	}
	if err != nil {
		pacer.Stop()
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(); pacer.Stop() })
	se.Endpoint = e
	return se
}

// endReason waits for the call's end.
func (se *sippEndpoint) endReason(t *testing.T) string {
	t.Helper()
	select {
	case r := <-se.reasons:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not end")
		return ""
	}
}

// needSIPpTool returns the sipp binary, skipping (failing under CI=true)
// when it is missing.
func needSIPpTool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		reason := "sipp not found on PATH (apt-get install -y sip-tester)"
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (CI=true: external tools are required)", reason)
		}
		fmt.Fprintf(os.Stderr, "SKIP: %s: %s\n", t.Name(), reason)
		t.Skip(reason)
	}
	return path
}

// runScenario places one call with scenario and fails the test unless
// SIPp followed it to the end.
func runScenario(t *testing.T, e *Endpoint, scenario string, extra ...string) {
	t.Helper()
	sipp := needSIPpTool(t)
	dir := t.TempDir()
	xml, err := os.ReadFile(filepath.Join(sipScenarioDir, scenario))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, scenario), xml, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{
		e.Addr().String(), "-sf", filepath.Join(dir, scenario), "-s", "95598",
		"-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-p", strconv.Itoa(freeport.UDP(t, false)), "-mp", strconv.Itoa(freeport.UDP(t, true)),
		"-m", "1", "-l", "1", "-nostdin", "-timeout", "25s", "-timeout_error",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sipp, append(args, extra...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("killed after 40 s: %w", err)
	}
	if err != nil {
		errs, _ := os.ReadFile(filepath.Join(dir, "errors.log"))
		msgs, _ := os.ReadFile(filepath.Join(dir, "messages.log"))
		if len(msgs) > 5000 {
			msgs = msgs[len(msgs)-5000:]
		}
		t.Fatalf("sipp %s: %v\n--- screen ---\n%s\n--- errors ---\n%s\n--- messages (tail) ---\n%s",
			scenario, err, out, errs, msgs)
	}
}

// callerHangsUp runs scenario, which echoes our RTP, against an endpoint
// that edit configures, and checks that the call ended with the caller's
// BYE.
func callerHangsUp(t *testing.T, scenario string, edit func(*Config)) *sippEndpoint {
	t.Helper()
	e := startSIPpEndpoint(t, edit)
	runScenario(t, e.Endpoint, scenario, "-rtp_echo")
	if r := e.endReason(t); r != "bye" {
		t.Errorf("%s: end reason %q, want bye (the caller hung up)", scenario, r)
	}
	return e
}

// TestSIPpLateOffer: SIPp sends an INVITE without SDP, checks our offer in
// the 200 and answers in the ACK, then echoes our RTP. The call outlives
// the 1 s inactivity timeout only if the answer in the ACK pointed our
// stream at SIPp; SIPp's BYE ends it.
func TestSIPpLateOffer(t *testing.T) {
	callerHangsUp(t, "late_offer.xml", nil)
}

// TestSIPpPrack: SIPp requires 100rel, lets the first reliable 180 go
// unacknowledged so that it is retransmitted, then PRACKs it; the 200
// follows.
func TestSIPpPrack(t *testing.T) {
	callerHangsUp(t, "prack.xml", func(c *Config) { c.AnswerDelay = 500 * time.Millisecond })
}

// TestSIPpSessionRefreshByUs: SIPp asks us to refresh (refresher=uas) and
// allows UPDATE: two UPDATEs must come, half an interval apart.
func TestSIPpSessionRefreshByUs(t *testing.T) {
	callerHangsUp(t, "session_timer_uas_refresh.xml", func(c *Config) { c.MinSE = 2 * time.Second })
}

// TestSIPpSessionRefreshByCaller: SIPp refreshes with UPDATE and then with
// a re-INVITE; the call outlives the interval it would have expired at.
func TestSIPpSessionRefreshByCaller(t *testing.T) {
	e := callerHangsUp(t, "session_timer_uac_refresh.xml", func(c *Config) { c.MinSE = 2 * time.Second })
	if n := e.expired.Load(); n != 0 {
		t.Errorf("%d session expiries, want none", n)
	}
}

// TestSIPpSessionExpiry: SIPp is the refresher and never refreshes: our
// BYE comes before the interval runs out, counted as a session expiry.
func TestSIPpSessionExpiry(t *testing.T) {
	e := startSIPpEndpoint(t, func(c *Config) { c.MinSE = 2 * time.Second })
	start := time.Now()
	runScenario(t, e.Endpoint, "session_timer_expiry.xml", "-rtp_echo")
	if r := e.endReason(t); r != ReasonSessionExpired {
		t.Errorf("end reason %q, want %s", r, ReasonSessionExpired)
	}
	if n := e.expired.Load(); n != 1 {
		t.Errorf("%d session expiries counted, want 1", n)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("the expired call took %s to end; its interval was 3 s", d)
	}
}

// TestSIPpCallerHold: SIPp holds with sendonly, then with c=0.0.0.0 and
// inactive, sends no RTP for longer than the inactivity timeout, resumes
// with sendrecv and echoes our RTP again; it hangs up itself.
func TestSIPpCallerHold(t *testing.T) {
	callerHangsUp(t, "caller_hold.xml", nil)
}

// TestSIPpEarlyMedia: a number with an early announcement answers the
// INVITE with a reliable 183 carrying SDP (the caller supports 100rel),
// plays the announcement before the 200, and only then runs the call.
func TestSIPpEarlyMedia(t *testing.T) {
	tone := make([]int16, 8000) // one second
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	announcement := playout.NewPrompt("free_notice", tone)
	e := callerHangsUp(t, "early_media.xml", func(c *Config) {
		c.EarlyMedia = func(number string) []*playout.Prompt {
			if number == "95598" {
				return []*playout.Prompt{announcement}
			}
			return nil
		}
	})
	if d := time.Duration(e.setup.Load()); d < time.Second {
		t.Errorf("the call was answered %s after its INVITE, before the 1 s announcement ended", d)
	}
}

// TestSIPpSessionRefreshByReInvite: SIPp asks us to refresh but does not
// allow UPDATE: the refresh is a re-INVITE with our SDP, acknowledged.
func TestSIPpSessionRefreshByReInvite(t *testing.T) {
	callerHangsUp(t, "session_timer_uas_reinvite.xml", func(c *Config) { c.MinSE = 2 * time.Second })
}

// TestSIPpSessionIntervalTooSmall: SIPp asks for 1 s, gets 422 with our
// Min-SE, retries with it and is answered.
func TestSIPpSessionIntervalTooSmall(t *testing.T) {
	callerHangsUp(t, "session_timer_422.xml", func(c *Config) { c.MinSE = 4 * time.Second })
}
