package app

import (
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// widebandAgentPhone is agentPhone for a softphone that prefers G.722.
func (h *harness) widebandAgentPhone(id, password string) *testphone.Phone {
	h.t.Helper()
	p := h.registeredPhone(testphone.Config{User: id, Password: password, Codecs: []string{"G722", "PCMU"}})
	p.SetAnswerMode(testphone.AutoAnswer)
	h.logIn(p, id)
	return p
}

// An agent's softphone negotiates G.722 with the server while the caller
// stays on G.711: each hears the other's tone through the transcoding
// bridge, and the agent hears the announcement and the caller's audio
// in wideband packets.
func TestWidebandAgent(t *testing.T) {
	h := start(t, acdTestConfig, func(c *config.Config) {
		c.RTP.AgentCodecs = []string{"G722", "PCMU", "PCMA"}
	})
	agent := h.widebandAgentPhone("1001", "pw1001")

	caller, id := h.dialAndPress("0")
	leg := waitIncoming(t, agent)
	h.events.wait(t, id, "agent answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	if !strings.Contains(leg.RemoteSDP(), "G722/8000") || leg.Codec() != "G722" {
		t.Fatalf("agent leg codec %q; server offered:\n%s", leg.Codec(), leg.RemoteSDP())
	}
	if caller.Codec() != "PCMU" {
		t.Fatalf("caller codec %q, want PCMU", caller.Codec())
	}

	waitQuiet(t, caller)
	caller.SendTone(500)
	leg.SendTone(1300)
	if err := leg.WaitTone(ctxT(t, 10*time.Second), 500, 200*time.Millisecond, 3000); err != nil {
		t.Fatalf("the agent does not hear the caller's 500 Hz: %v (amplitude %.0f)", err, leg.ToneAmplitude(500, 200*time.Millisecond))
	}
	if err := caller.WaitTone(ctxT(t, 10*time.Second), 1300, 200*time.Millisecond, 3000); err != nil {
		t.Fatalf("the caller does not hear the agent's 1300 Hz: %v (amplitude %.0f)", err, caller.ToneAmplitude(1300, 200*time.Millisecond))
	}
	if got := leg.Received().PayloadTypes[9]; got < 25 {
		t.Fatalf("agent received %d G.722 packets: %v", got, leg.Received().PayloadTypes)
	}

	// Hold and resume keep the leg on G.722.
	if err := leg.Hold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	h.events.wait(t, id, "held", func(e call.Event) bool { return e.Kind == call.Held })
	if err := leg.Unhold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("unhold: %v", err)
	}
	h.events.wait(t, id, "unheld", func(e call.Event) bool { return e.Kind == call.Unheld })
	heard(t, leg, 25, "the agent hears the caller again after resuming")
	if a := leg.ToneAmplitude(500, 200*time.Millisecond); a < 3000 {
		t.Fatalf("the agent hears the caller's 500 Hz at %.0f after resuming", a)
	}
	if err := caller.WaitTone(ctxT(t, 10*time.Second), 1300, 200*time.Millisecond, 3000); err != nil {
		t.Fatalf("the caller does not hear the agent after resuming: %v", err)
	}
	agentHangsUp(t, h, caller, leg, id)
}

// Without rtp.agent_codecs a G.722-first phone still gets G.711.
func TestAgentCodecsDefaultIsNarrowband(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	agent := h.widebandAgentPhone("1001", "pw1001")
	caller, id := h.dialAndPress("0")
	leg := waitIncoming(t, agent)
	if leg.Codec() != "PCMU" || strings.Contains(leg.RemoteSDP(), "G722") {
		t.Fatalf("agent leg codec %q; server offered:\n%s", leg.Codec(), leg.RemoteSDP())
	}
	hearEachOther(t, caller, leg, "1001")
	agentHangsUp(t, h, caller, leg, id)
}
