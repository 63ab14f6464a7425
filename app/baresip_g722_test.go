package app

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/media/wav"
)

// wideRate is G.722's audio rate: what baresip's aufile and sndfile use on
// a G.722 call.
const wideRate = 16000

// TestBaresipAgentOnG722 is TestBaresipAgentTalksToSIPpCaller with the
// server offering G.722 to agents (rtp.agent_codecs) and baresip's g722
// module preferring it: the agent's leg runs at 16 kHz while SIPp's
// caller stays on G.711, and the bridge transcodes both ways.
//
// What it proves beyond the G.711 test: baresip accepts our G.722 offer
// (its recording of what it heard is at 16 kHz, which sndfile only writes
// for a 16 kHz decoder), hears the caller's speech, and its own 1 kHz
// tone comes back through caller and server, so G.722 → G.711 and
// G.711 → G.722 both carry audio.
func TestBaresipAgentOnG722(t *testing.T) {
	usePcaps(t, "dtmf_2833_0.pcap")
	sipp := needSIPp(t)
	bin, moduleDir := needBaresip(t)
	if _, err := os.Stat(filepath.Join(moduleDir, "g722.so")); err != nil {
		missingTool(t, fmt.Sprintf("baresip module g722.so not found in %s (Debian package baresip-core)", moduleDir))
	}
	h := start(t, baresipConfig, func(c *config.Config) {
		c.RTP.AgentCodecs = []string{"G722", "PCMU", "PCMA"}
	})
	account := fmt.Sprintf("<sip:1001@%s;transport=udp>;auth_pass=pw1001;answermode=auto;audio_codecs=G722/16000/1,PCMU;regint=3600;outbound=\"sip:%s;lr\"\n",
		h.srv.SIPAddr(), h.srv.SIPAddr())
	agent := runBaresip(t, bin, "1001", moduleDir, "module\tg722.so\n", account)
	h.waitRegistered("1001")
	// The login call is G.711 (calls to the server are answered from
	// PCMU and PCMA), and aufile wants the call's own sample rate: only
	// now does the agent's voice become 16 kHz (aufile opens it when a
	// call starts).
	agent.logIn(t, h)
	writeWideAgentVoice(t, filepath.Join(agent.dir, "voice.wav"))

	run := runSIPp(t, sipp, h, "caller_talks_to_agent.xml", "-rtp_echo")
	run.requireSuccess(t)
	offered := h.events.waitAnyCall(t, "the ACD rings 1001", func(e call.Event) bool {
		return e.Kind == call.AgentOffered && e.Agent == "1001"
	})
	end := h.events.waitEnd(t, offered.CallID)
	if end.Result != call.ResultAnsweredByAgent {
		t.Errorf("end: result %s by %s (%s), want answered_by_agent", end.Result, end.HangupBy, end.Reason)
	}
	agent.waitEvent(t, "the agent's call closed", func(m baresipMessage) bool {
		return m.Type == "CALL_CLOSED" && m.Direction == "incoming"
	})

	pcm := wideRecording(t, agent)
	heard := classifyFrames(everyOther(pcm))
	t.Logf("agent heard (brought to 8 kHz): %+v", heard)
	if heard.callerSpeech < 50 {
		t.Errorf("agent heard %d frames of the caller's speech, want at least 50 (1 s)", heard.callerSpeech)
	}
	if heard.ownToneBack < 50 {
		t.Errorf("agent heard its own tone back through the caller in %d frames, want at least 50 (1 s)", heard.ownToneBack)
	}
	h.waitIdle()
}

// writeWideAgentVoice is writeAgentVoice at 16 kHz.
func writeWideAgentVoice(t *testing.T, path string) {
	t.Helper()
	pcm := make([]int16, int(agentVoiceFor.Seconds()*wideRate))
	for i := range int(agentToneFor.Seconds() * wideRate) {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*agentToneHz*float64(i)/wideRate))
	}
	var buf bytes.Buffer
	if err := wav.Encode(&buf, pcm, wideRate, 1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// wideRecording is baresip's recording of what the agent heard, which
// must be at G.722's 16 kHz.
func wideRecording(t *testing.T, b *baresip) []int16 {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(b.snd, "dump-*-dec.wav"))
	if err != nil || len(files) != 1 {
		t.Fatalf("baresip recordings of what the agent heard: %v %v, want exactly one", files, err)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	pcm, rate, err := wav.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("agent recording: %v", err)
	}
	if rate != wideRate {
		t.Fatalf("agent recording at %d Hz: the call did not use G.722", rate)
	}
	return pcm
}

// everyOther brings 16 kHz audio that has nothing above 4 kHz (it came
// from G.711) to 8 kHz.
func everyOther(pcm []int16) []int16 {
	out := make([]int16, 0, len(pcm)/2)
	for i := 0; i < len(pcm); i += 2 {
		out = append(out, pcm[i])
	}
	return out
}
