package app

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/sip"
)

// TestShutdownCutCallsAreNotAbandons: calls still in the IVR or in a queue
// when the shutdown grace runs out are ended by the server; they are
// recorded as failed with reason server_shutdown, not as callers who
// abandoned, so the IVR and queue abandon figures stay true.
func TestShutdownCutCallsAreNotAbandons(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	h.agentPhone("1001", "pw1001", testphone.NoAnswer)
	inIVR := h.dial(h.phone("udp"), "95598")
	ivrID := inIVR.CallID()
	h.events.waitNode(t, ivrID, "menu")
	inQueue, queueID := h.dialAndPress("2")
	h.events.wait(t, queueID, "queued", func(e call.Event) bool { return e.Kind == call.Queued })

	h.srv.Shutdown(ctxT(t, 300*time.Millisecond))

	for _, tc := range []struct {
		id     string
		caller *testphone.Call
	}{{ivrID, inIVR}, {queueID, inQueue}} {
		end := h.events.waitEnd(t, tc.id)
		if end.Result != call.ResultFailed || end.Reason != sip.ReasonShutdown || end.HangupBy != call.HangupByServer {
			t.Errorf("call %s ended %s/%s by %s, want failed/%s by server", tc.id, end.Result, end.Reason, end.HangupBy, sip.ReasonShutdown)
		}
		select {
		case <-tc.caller.Done():
		case <-time.After(5 * time.Second):
			t.Errorf("caller %s got no BYE", tc.id)
		}
	}
	for _, result := range []string{"abandoned_in_ivr", "abandoned_in_queue"} {
		if n := h.metric("hotline_calls_total", "result", result); n != 0 {
			t.Errorf("hotline_calls_total{result=%q} = %v, want 0", result, n)
		}
	}
	if n := h.metric("hotline_calls_total", "result", "failed"); n != 2 {
		t.Errorf("hotline_calls_total{result=\"failed\"} = %v, want 2", n)
	}
	if n := h.metric("hotline_queue_abandoned_total", "queue", "billing"); n != 0 {
		t.Errorf("hotline_queue_abandoned_total{queue=billing} = %v, want 0", n)
	}
}
