package app

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/media/wav"
)

// The Linphone end-to-end test puts linphonec (Debian package
// linphone-cli) in the agent's seat beside the baresip test: a second
// softphone nobody here wrote, with its own SIP stack (belle-sip) and
// media engine (mediastreamer2). The caller and the colleague who takes
// the transfer are Go test phones, which can listen for tones.

const (
	linphoneToneHz = 1000 // what the Linphone agent says, all call long
	callerToneHz   = 500  // what the caller says
	linphoneRate   = 8000 // the voice file's rate: G.711's
)

// TestLinphoneAgent: Linphone registers as agent 1001 with digest, logs
// in with *21, answers a queued call automatically; the caller and the
// agent hear each other; the agent holds (the caller hears music) and
// resumes (the caller hears the agent again); then the agent transfers
// the caller blind to agent 1002, who answers and talks with the caller
// while Linphone's leg is closed. Linphone's recording of what it heard
// holds the caller's tone.
func TestLinphoneAgent(t *testing.T) {
	bin := needLinphone(t)
	h := start(t, acdTestConfig, nil)
	sipAddr := h.srv.SIPAddr().String()
	lp := startLinphone(t, bin, "1001")
	voice, heardFile := filepath.Join(lp.dir, "voice.wav"), filepath.Join(lp.dir, "heard.wav")
	writeTone(t, voice, linphoneToneHz, 60*time.Second)
	lp.send(t, "play "+voice)
	lp.send(t, "record "+heardFile)

	// Digest REGISTER: the registrar challenges every REGISTER.
	lp.send(t, "register sip:1001@"+sipAddr+" sip:"+sipAddr+";transport=udp pw1001")
	h.waitRegistered("1001")
	lp.waitRegistrationOK(t)

	// Log in with the feature code; the server hangs up after confirming.
	lp.send(t, "autoanswer enable")
	from := lp.mark()
	lp.send(t, "call sip:*21@"+sipAddr)
	h.events.wait(t, "", "agent 1001 available", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "available"
	})
	lp.waitLine(t, from, "the login call to end", "Call 1 ", "ended")

	// A caller queues; Linphone answers on its own.
	from = lp.mark()
	caller, id := h.dialAndPress("0")
	h.events.wait(t, id, "1001 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	lp.waitLine(t, from, "the queued call connected", "Call 2 ", "connected")

	// Audio both ways: the caller hears Linphone's tone once the agent
	// announcement is over; Linphone's recording is checked for the
	// caller's tone at the end.
	caller.SendTone(callerToneHz)
	hearsTone(t, caller, linphoneToneHz, "the caller hears the Linphone agent")

	// Hold and resume from Linphone's side.
	lp.send(t, "pause")
	h.events.wait(t, id, "held", func(e call.Event) bool { return e.Kind == call.Held })
	heard(t, caller, 25, "caller hears music on hold")
	if a := caller.ToneAmplitude(linphoneToneHz, 200*time.Millisecond); a > 1000 {
		t.Errorf("caller still hears the agent's tone on hold (amplitude %.0f)", a)
	}
	lp.send(t, "resume")
	h.events.wait(t, id, "unheld", func(e call.Event) bool { return e.Kind == call.Unheld })
	hearsTone(t, caller, linphoneToneHz, "the caller hears the Linphone agent after resume")
	// Another second of conversation, for Linphone's recording.
	heard(t, caller, 50, "the caller keeps hearing the Linphone agent")

	// Blind transfer to agent 1002 (a Go test phone, logged in only now
	// so that the first call could only go to Linphone).
	colleague := h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	from = lp.mark()
	lp.send(t, "transfer sip:1002@"+sipAddr)
	h.events.wait(t, id, "transferred to 1002", func(e call.Event) bool {
		return e.Kind == call.Transferred && e.Target == "queue:agent:1002"
	})
	leg := waitIncoming(t, colleague)
	h.events.wait(t, id, "1002 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1002" })
	lp.waitLine(t, from, "Linphone's leg to end", "Call 2 ", "ended")
	leg.SendTone(1300)
	hearsTone(t, leg, callerToneHz, "1002 hears the caller")
	hearsTone(t, caller, 1300, "the caller hears 1002")
	agentHangsUp(t, h, caller, leg, id)

	// What Linphone heard while it had the call: the caller's tone.
	frames := toneFrames(t, heardFile, callerToneHz)
	t.Logf("Linphone heard %d frames of the caller's %d Hz", frames, callerToneHz)
	if frames < 50 {
		t.Errorf("Linphone heard the caller's tone in %d frames, want at least 50 (1 s)", frames)
	}
}

// hearsTone waits until c hears a steady hz tone.
func hearsTone(t *testing.T, c *testphone.Call, hz float64, what string) {
	t.Helper()
	if err := c.WaitTone(ctxT(t, 10*time.Second), hz, 200*time.Millisecond, 3000); err != nil {
		t.Fatalf("%s: %v (amplitude %.0f)", what, err, c.ToneAmplitude(hz, 200*time.Millisecond))
	}
}

// writeTone writes a hz tone lasting d as 8 kHz 16-bit mono WAV.
func writeTone(t *testing.T, path string, hz float64, d time.Duration) {
	t.Helper()
	pcm := make([]int16, int(d.Seconds()*linphoneRate))
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/linphoneRate))
	}
	var buf bytes.Buffer
	if err := wav.Encode(&buf, pcm, linphoneRate, 1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// toneFrames counts the 20 ms frames of a WAV recording that are sound
// and mostly a hz tone.
func toneFrames(t *testing.T, path string, hz float64) int {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("Linphone's recording: %v", err)
	}
	pcm, rate, err := wav.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("Linphone's recording: %v", err)
	}
	frame, n := rate/50, 0
	for i := 0; i+frame <= len(pcm); i += frame {
		f := pcm[i : i+frame]
		var energy, re, im float64
		for k, s := range f {
			v := float64(s)
			energy += v * v
			phase := 2 * math.Pi * hz * float64(k) / float64(rate)
			re += v * math.Cos(phase)
			im += v * math.Sin(phase)
		}
		if math.Sqrt(energy/float64(frame)) < soundLevel {
			continue
		}
		if 2*(re*re+im*im)/(float64(frame)*energy) > 0.8 {
			n++
		}
	}
	return n
}
