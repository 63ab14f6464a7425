package app

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// The baresip end-to-end test puts a real softphone in the agent's seat:
// baresip (Debian package baresip-core) registers as agent 1001, logs in
// with *21 and answers the ACD's call automatically, while SIPp plays the
// caller. baresip runs headless: no sound card, its "microphone" is a WAV
// file (aufile) and what it hears is written to a WAV file (sndfile), and
// the test drives it through its TCP control interface (ctrl_tcp), which
// also reports its call events.

const (
	baresipConfig           = "testdata/baresip.yaml"
	defaultBaresipModuleDir = "/usr/lib/baresip/modules"
	// baresipLifetime is baresip's own -t limit, so that it never outlives
	// a test binary that dies without running its cleanups.
	baresipLifetime = 60
	// baresipRate is G.711's sample rate: aufile insists the WAV matches it.
	baresipRate = 8000

	// The agent says a 1 kHz tone for the first agentToneFor of every call
	// and is silent afterwards; the caller starts talking only later (see
	// test/sipp/caller_talks_to_agent.xml), so the two never overlap.
	agentToneHz  = 1000
	agentToneFor = 2 * time.Second
	// agentVoiceFor outlasts the call: aufile ends the call at the end of
	// its file.
	agentVoiceFor = 40 * time.Second

	// soundLevel is the RMS above which a 20 ms frame counts as sound
	// (about -40 dBFS); G.711 silence decodes to single digits.
	soundLevel = 300
)

// baresipModules are the modules the generated configuration loads; no
// audio player is loaded, so received audio goes only to sndfile.
var baresipModules = []string{"g711.so", "aufile.so", "sndfile.so", "account.so", "menu.so", "ctrl_tcp.so"}

// TestBaresipAgentTalksToSIPpCaller: baresip registers and logs in as an
// agent; SIPp calls 95598, presses 0 (RFC 4733) and is queued; the ACD
// rings baresip, which answers; then each side talks and SIPp hangs up.
//
// What this proves:
//   - digest REGISTER and an authenticated feature-code INVITE from a real
//     softphone, and the login reaching the ACD (AgentStateChanged);
//   - the ACD rings the registered contact with the caller's number as
//     caller ID and the phone's answer bridges the call (AgentOffered,
//     AgentAnswered);
//   - caller to agent: baresip's recording holds the caller's speech
//     (g711a.pcap, A-law, transcoded to the agent's µ-law): frames with
//     sound and hardly any of the agent's tone in them;
//   - agent to caller: SIPp runs with -rtp_echo, so what reaches the caller
//     is sent back; the agent's own 1 kHz tone in its recording has made
//     the round trip agent → server → caller → server → agent. Without
//     -rtp_echo the same run records no tone at all, so it does not come
//     by a shorter path. SIPp itself cannot check what it receives.
//   - both legs end cleanly: SIPp's BYE ends the call as answered_by_agent
//     and baresip's leg is closed by the server's BYE.
func TestBaresipAgentTalksToSIPpCaller(t *testing.T) {
	usePcaps(t, "dtmf_2833_0.pcap")
	sipp := needSIPp(t)
	bin, moduleDir := needBaresip(t)
	h := start(t, baresipConfig, nil)
	agent := startBaresip(t, bin, baresipSetup{
		moduleDir: moduleDir, server: h.srv.SIPAddr(), outbound: h.srv.SIPAddr(),
		user: "1001", password: "pw1001",
	})
	h.waitRegistered("1001")
	agent.logIn(t, h)

	run := runSIPp(t, sipp, h, "caller_talks_to_agent.xml", "-rtp_echo")
	run.requireSuccess(t)

	offered := h.events.waitAnyCall(t, "the ACD rings 1001", func(e call.Event) bool {
		return e.Kind == call.AgentOffered && e.Agent == "1001"
	})
	id := offered.CallID
	h.events.wait(t, id, "1001 answered", func(e call.Event) bool {
		return e.Kind == call.AgentAnswered && e.Agent == "1001"
	})
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAnsweredByAgent || end.HangupBy != call.HangupByCaller {
		t.Errorf("end: result %s by %s (%s), want answered_by_agent by caller", end.Result, end.HangupBy, end.Reason)
	}

	// With answermode=auto baresip 1.0.0 reports no CALL_INCOMING, only
	// the answered call.
	answered := agent.waitEvent(t, "the agent's phone answering", func(m baresipMessage) bool {
		return m.Type == "CALL_ESTABLISHED" && m.Direction == "incoming"
	})
	if !strings.Contains(answered.PeerURI, "13800000004") {
		t.Errorf("caller ID shown to the agent: %q, want the caller's number", answered.PeerURI)
	}
	closed := agent.waitEvent(t, "the agent's call closed", func(m baresipMessage) bool {
		return m.Type == "CALL_CLOSED" && m.Direction == "incoming" && m.ID == answered.ID
	})
	// baresip reports a BYE from its peer as ECONNRESET.
	if closed.Param != "Connection reset by peer" {
		t.Errorf("agent's call closed with %q, want the server's BYE (Connection reset by peer)", closed.Param)
	}

	heard := classifyFrames(agent.recording(t))
	t.Logf("agent heard: %+v", heard)
	if heard.callerSpeech < 50 {
		t.Errorf("agent heard %d frames of the caller's speech, want at least 50 (1 s)", heard.callerSpeech)
	}
	if heard.ownToneBack < 50 {
		t.Errorf("agent heard its own tone back through the caller in %d frames, want at least 50 (1 s)", heard.ownToneBack)
	}

	h.waitIdle()
	if got := h.metric("hotline_calls_total", "result", "answered_by_agent"); got != 1 {
		t.Errorf("answered_by_agent calls = %v, want 1", got)
	}
}

// usePcaps adds pcaps that runSIPp links next to the scenario, for this
// test only. Top-level tests of the package do not run in parallel.
func usePcaps(t *testing.T, names ...string) {
	saved := sippPcaps
	sippPcaps = append(slices.Clone(saved), names...)
	t.Cleanup(func() { sippPcaps = saved })
}

// needBaresip returns the baresip binary and its module directory. A
// missing tool skips the test, loudly, except under CI=true.
func needBaresip(t *testing.T) (bin, moduleDir string) {
	t.Helper()
	bin, err := exec.LookPath("baresip")
	if err != nil {
		missingTool(t, "baresip not found on PATH (apt-get install -y --no-install-recommends baresip-core)")
	}
	moduleDir = os.Getenv("BARESIP_MODULE_DIR")
	if moduleDir == "" {
		moduleDir = defaultBaresipModuleDir
	}
	for _, m := range baresipModules {
		if _, err := os.Stat(filepath.Join(moduleDir, m)); err != nil {
			missingTool(t, fmt.Sprintf("baresip module %s not found in %s (set BARESIP_MODULE_DIR)", m, moduleDir))
		}
	}
	return bin, moduleDir
}

// waitRegistered waits until the server holds a registration for agent,
// as the REST API reports it.
func (h *harness) waitRegistered(agent string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, a := range h.srv.agentControl().Agents() {
			if a.ID == agent && a.Registered {
				return
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("agent %s never registered", agent)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitAnyCall blocks until match holds for some event, whatever its call.
func (r *recorder) waitAnyCall(t *testing.T, what string, match func(call.Event) bool) call.Event {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		r.mu.Lock()
		for _, e := range r.events {
			if match(e) {
				r.mu.Unlock()
				return e
			}
		}
		ch := r.change
		r.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// agentHeard counts 20 ms frames of a recording by what they contain.
type agentHeard struct {
	frames       int
	silent       int
	ownToneBack  int // mostly the agent's 1 kHz tone
	callerSpeech int // sound with hardly any 1 kHz in it
}

// classifyFrames sorts each 20 ms frame by its level and by the share of
// its energy at the agent's tone frequency. The tone and the caller's
// speech come at different times, so frames are either nearly pure tone
// or nearly free of it; the mixed rest is counted in neither.
func classifyFrames(pcm []int16) agentHeard {
	const frame = baresipRate / 50
	var h agentHeard
	for i := 0; i+frame <= len(pcm); i += frame {
		f := pcm[i : i+frame]
		h.frames++
		var energy float64
		for _, s := range f {
			energy += float64(s) * float64(s)
		}
		if math.Sqrt(energy/frame) < soundLevel {
			h.silent++
			continue
		}
		switch share := toneShare(f, agentToneHz, energy); {
		case share > 0.8:
			h.ownToneBack++
		case share < 0.2:
			h.callerSpeech++
		}
	}
	return h
}

// toneShare is the fraction of a frame's energy at hz (one DFT bin).
func toneShare(f []int16, hz, energy float64) float64 {
	var re, im float64
	for k, s := range f {
		phase := 2 * math.Pi * hz * float64(k) / baresipRate
		re += float64(s) * math.Cos(phase)
		im += float64(s) * math.Sin(phase)
	}
	return 2 * (re*re + im*im) / (float64(len(f)) * energy)
}

func TestClassifyFramesTellsToneFromOtherSound(t *testing.T) {
	const n = baresipRate / 50
	pcm := make([]int16, 4*n)
	for i := range n { // frame 0: the tone
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*agentToneHz*float64(i)/baresipRate))
	}
	for i := range n { // frame 1: 300 Hz, far from the tone's bin
		pcm[n+i] = int16(8000 * math.Sin(2*math.Pi*300*float64(i)/baresipRate))
	}
	for i := range n { // frame 2: too quiet to count
		pcm[2*n+i] = int16(50 * math.Sin(2*math.Pi*300*float64(i)/baresipRate))
	}
	// frame 3: digital silence
	got := classifyFrames(pcm)
	want := agentHeard{frames: 4, silent: 2, ownToneBack: 1, callerSpeech: 1}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
