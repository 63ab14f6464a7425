package app

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// TestCallerHoldsInQueueAndWithAgent: a caller puts the call on hold
// (sendonly) and sends nothing for more than twice the RTP inactivity
// timeout, first while waiting in the queue, then while talking to an
// agent. Neither hold ends the call; the agent's leg stays up and keeps
// receiving (silence); after each resume audio flows again, both ways
// once bridged.
func TestCallerHoldsInQueueAndWithAgent(t *testing.T) {
	const inactivity = time.Second
	h := start(t, acdTestConfig, func(c *config.Config) { c.RTP.InactivityTimeout = inactivity })
	caller, id := h.dialAndPress("0")
	h.events.wait(t, id, "queued", func(e call.Event) bool { return e.Kind == call.Queued })

	holdSilently(t, caller, 2*inactivity)
	if h.events.count(id, call.CallEnded) != 0 {
		t.Fatal("the call ended while the caller held it in the queue")
	}
	heard(t, caller, 25, "caller hears the queue again after resuming")

	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	h.events.wait(t, id, "agent answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	hearEachOther(t, caller, leg, "1001")

	before := leg.Received().Packets
	holdSilently(t, caller, 2*inactivity)
	if got := leg.Received().Packets - before; got < 50 {
		t.Errorf("the agent received %d packets during the caller's hold, want a steady stream (silence)", got)
	}
	select {
	case <-leg.Done():
		t.Fatal("the agent's leg ended while the caller held")
	default:
	}
	if h.events.count(id, call.CallEnded) != 0 {
		t.Fatal("the call ended while the caller held it with the agent")
	}
	caller.SendTone(500)
	heard(t, leg, 25, "1001 hears the caller after the resume")
	agentHangsUp(t, h, caller, leg, id)
}

// holdSilently holds with sendonly, sends nothing for d, then resumes.
func holdSilently(t *testing.T, c *testphone.Call, d time.Duration) {
	t.Helper()
	if err := c.Hold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	c.Mute(true)
	time.Sleep(d)
	c.Mute(false)
	if err := c.Unhold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("resume: %v", err)
	}
}
