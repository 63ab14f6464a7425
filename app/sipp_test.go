package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/freeport"
)

// The SIPp end-to-end tests drive the in-process server with SIPp, a
// third-party SIP client, over loopback. The scenarios live in test/sipp;
// the RTP they play comes from the pcaps shipped with Debian's sip-tester
// package (SIPP_PCAP_DIR overrides where they are looked up).

const (
	sippConfig      = "testdata/sipp.yaml"
	sippScenarioDir = "../test/sipp"
	defaultPcapDir  = "/usr/share/sip-tester"
	// sippDeadline bounds one SIPp run; the scenarios take a few seconds
	// and SIPp's own -timeout fires first.
	sippDeadline = 30 * time.Second
)

// sippPcaps are the recordings the scenarios play: A-law audio (PT 8) and
// the RFC 4733 digit 1 (PT 101).
var sippPcaps = []string{"g711a.pcap", "dtmf_2833_1.pcap"}

// TestSIPpWalksIVRToSelfService: SIPp calls, stays silent past the RTP
// inactivity timeout while echoing the server's prompts back (-rtp_echo),
// talks, presses 1 at the main menu with an RFC 4733 event, and expects
// the server's goodbye BYE.
//
// What this proves: the call outlives the 1 s inactivity timeout during
// the silent pause only if the server's RTP reaches SIPp and SIPp's echo
// reaches the server (without -rtp_echo the same scenario ends in
// rtp_timeout); the digit reaching the IVR proves the server decodes the
// RFC 4733 packets SIPp sends. It does not prove the content of the audio.
func TestSIPpWalksIVRToSelfService(t *testing.T) {
	sipp := needSIPp(t)
	h := start(t, sippConfig, nil)
	run := runSIPp(t, sipp, h, "ivr_self_service.xml", "-rtp_echo")
	run.requireSuccess(t)

	id := h.events.onlyCallID(t)
	end := h.events.waitEnd(t, id)
	if got := pathString(h.events.path(id)); got != "greeting>notice>menu>served" {
		t.Errorf("path %s, want greeting>notice>menu>served", got)
	}
	if end.Result != call.ResultSelfService || end.HangupBy != call.HangupByServer {
		t.Errorf("end: result %s by %s (%s), want self_service by server", end.Result, end.HangupBy, end.Reason)
	}
	h.waitIdle()
	if got := h.metric("hotline_calls_total", "result", "self_service"); got != 1 {
		t.Errorf("self_service calls = %v, want 1", got)
	}
	// About 4 s of paced 20 ms frames were sent to SIPp.
	if got := h.metric("hotline_rtp_send_lateness_seconds"); got < 100 {
		t.Errorf("only %v packets sent to SIPp", got)
	}
}

// TestSIPpCallerHangsUpDuringPrompt: SIPp talks (g711a.pcap, no echo) and
// hangs up while the main menu prompt plays. The pcap is the only RTP the
// server receives, so reaching the menu alive past the 1 s inactivity
// timeout proves the server received SIPp's audio.
func TestSIPpCallerHangsUpDuringPrompt(t *testing.T) {
	sipp := needSIPp(t)
	h := start(t, sippConfig, nil)
	run := runSIPp(t, sipp, h, "caller_hangs_up.xml")
	run.requireSuccess(t)

	id := h.events.onlyCallID(t)
	end := h.events.waitEnd(t, id)
	if got := pathString(h.events.path(id)); got != "greeting>notice>menu" {
		t.Errorf("path %s, want greeting>notice>menu", got)
	}
	if end.Result != call.ResultAbandonedInIVR || end.HangupBy != call.HangupByCaller || end.Reason != "caller_hangup" {
		t.Errorf("end: result %s by %s (%s), want abandoned_in_ivr by caller (caller_hangup)", end.Result, end.HangupBy, end.Reason)
	}
	h.waitIdle()
	if got := h.metric("hotline_calls_total", "result", "abandoned_in_ivr"); got != 1 {
		t.Errorf("abandoned_in_ivr calls = %v, want 1", got)
	}
}

// needSIPp returns the sipp binary and checks the pcaps are there. A
// missing tool skips the test, loudly, except under CI=true where it fails.
func needSIPp(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		missingTool(t, "sipp not found on PATH (apt-get install -y sip-tester)")
	}
	dir := pcapDir()
	for _, name := range sippPcaps {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			missingTool(t, fmt.Sprintf("SIPp pcap %s not found in %s (set SIPP_PCAP_DIR)", name, dir))
		}
	}
	return path
}

func missingTool(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: external tools are required)", reason)
	}
	// go test hides t.Skip output without -v; the SKIP line is not hidden.
	fmt.Fprintf(os.Stderr, "SKIP: %s: %s\n", t.Name(), reason)
	t.Skip(reason)
}

func pcapDir() string {
	if dir := os.Getenv("SIPP_PCAP_DIR"); dir != "" {
		return dir
	}
	return defaultPcapDir
}

// sippRun is the outcome of one SIPp process.
type sippRun struct {
	err      error
	screen   string // SIPp's final screens (stdout)
	dir      string // working directory with SIPp's logs
	scenario string
}

// runSIPp places one call with scenario (a file of test/sipp) to the
// server and waits for SIPp to exit. SIPp works in a temporary directory
// holding a copy of the scenario and links to the pcaps, because it looks
// for pcaps next to the scenario.
func runSIPp(t *testing.T, sipp string, h *harness, scenario string, extra ...string) sippRun {
	t.Helper()
	dir := t.TempDir()
	stageScenario(t, dir, scenario)
	sigPort, mediaPort := freeport.UDP(t, false), freeport.UDP(t, true)
	args := []string{
		h.srv.SIPAddr().String(),
		"-sf", filepath.Join(dir, scenario),
		"-s", "95598",
		"-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-p", strconv.Itoa(sigPort), "-mp", strconv.Itoa(mediaPort),
		"-m", "1", "-l", "1",
		"-nostdin",
		"-timeout", "20s", "-timeout_error",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log"),
	}
	args = append(args, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), sippDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, sipp, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	run := sippRun{err: err, screen: string(out), dir: dir, scenario: scenario}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		run.err = fmt.Errorf("killed after %v: %w", sippDeadline, err)
	}
	if strings.Contains(run.log("errors.log"), "Can't create raw") {
		// play_pcap_audio sends through a raw socket.
		missingTool(t, "SIPp cannot open a raw socket to play pcaps (run as root or setcap cap_net_raw+ep on sipp)")
	}
	return run
}

func stageScenario(t *testing.T, dir, scenario string) {
	t.Helper()
	xml, err := os.ReadFile(filepath.Join(sippScenarioDir, scenario))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, scenario), xml, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range sippPcaps {
		if err := os.Symlink(filepath.Join(pcapDir(), name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// requireSuccess fails the test unless SIPp exited 0 (every call
// followed the scenario), showing what SIPp saw otherwise.
func (r sippRun) requireSuccess(t *testing.T) {
	t.Helper()
	if r.err == nil {
		return
	}
	t.Fatalf("sipp %s: %v\n--- screen ---\n%s\n--- errors ---\n%s\n--- messages (tail) ---\n%s",
		r.scenario, r.err, r.screen, r.log("errors.log"), tail(r.log("messages.log"), 4000))
}

func (r sippRun) log(name string) string {
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		return ""
	}
	return string(b)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// onlyCallID waits for the first event of a call and returns its ID: each
// SIPp test places exactly one call.
func (r *recorder) onlyCallID(t *testing.T) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		for _, e := range r.events {
			if e.CallID != "" {
				r.mu.Unlock()
				return e.CallID
			}
		}
		ch := r.change
		r.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatal("no call reached the server")
		}
	}
}
