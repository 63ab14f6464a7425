package app

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// hangupOnAnswer hangs the caller up the moment the ACD reports the agent's
// answer, racing the hand-over of the call to the caller's goroutine.
type hangupOnAnswer struct {
	caller *testphone.Call
	fired  chan struct{}
}

func (h *hangupOnAnswer) HandleEvent(e call.Event) {
	if e.Kind != call.AgentAnswered || e.CallID != h.caller.CallID() {
		return
	}
	select {
	case <-h.fired:
		return
	default:
		close(h.fired)
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.caller.Hangup(ctx)
	}()
}

// A caller who hangs up just as the agent answers leaves an answered call,
// an agent in wrap-up (not stuck talking), and no agent leg or RTP port
// behind (the harness checks ports at the end). Before the fix, the
// caller's goroutine could see the hang-up before the ACD's Connect, treat
// the call as abandoned while the ACD had it connected, and leave the
// agent's leg to an asynchronous BYE after the call had ended.
func TestCallerHangsUpAsAgentAnswers(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller := h.dial(h.phone("udp"), "95598")
	id := caller.CallID()
	trigger := &hangupOnAnswer{caller: caller, fired: make(chan struct{})}
	h.srv.Bus().Subscribe(trigger)
	h.events.waitNode(t, id, "menu")
	// The agent may answer, and the caller hang up, while the digit's
	// last packets are still going out: that error is expected.
	_ = caller.SendDTMF('0')
	leg := waitIncoming(t, agent)
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAnsweredByAgent || end.HangupBy != call.HangupByCaller {
		t.Errorf("end %s by %s, want answered_by_agent by caller", end.Result, end.HangupBy)
	}
	select {
	case <-leg.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the agent's leg was not hung up")
	}
	h.events.wait(t, id, "1001 in wrap-up", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "wrapup"
	})
	h.events.wait(t, "", "1001 available again", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.PrevState == "wrapup" && e.State == "available"
	})
}
