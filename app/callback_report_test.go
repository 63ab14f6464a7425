package app

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// TestCallbackReportsAgreeWithLiveMetrics checks that the stored interval
// report counts callback callers as the live counters do: each offered
// once, at the original queueing, then answered when the customer picks up
// the callback and abandoned when the callback gives up.
//
// One attempt per callback: the first customer answers, the gateway then
// refuses the second with 486, which gives up at once. The service level
// (60 s) covers the first customer's whole wait; the short-abandon limit
// (1 s) is below the second customer's, so the abandon is not short.
func TestCallbackReportsAgreeWithLiveMetrics(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, func(c *config.Config) {
		callbackSetup("sip:{number}@"+gw.Addr(), 1)(c)
		q := c.Queues["general"]
		sl, short := 60, 1
		q.ServiceLevelSeconds, q.ShortAbandonSeconds = &sl, &short
		c.Queues["general"] = q
	})

	_, answeredID := h.requestCallback("1")
	h.events.waitEnd(t, answeredID)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	waitIncoming(t, gw)
	cbAnswered := answeredID + "-cb"
	h.events.wait(t, cbAnswered, "customer answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, cbAnswered)
	h.events.wait(t, cbAnswered, "wrap-up over", func(e call.Event) bool { return e.Kind == call.WrapupEnded })

	// The second caller must wait for the offer: nobody is ready.
	h.apiCall(t, "POST", "/agents/1001/pause", "agent-1001-token-0123")
	gw.SetAnswerMode(testphone.Reject(486))
	_, gaveUpID := h.requestCallback("1")
	h.events.waitEnd(t, gaveUpID)
	h.apiCall(t, "POST", "/agents/1001/ready", "agent-1001-token-0123")
	cbGaveUp := gaveUpID + "-cb"
	end := h.events.waitEnd(t, cbGaveUp)
	if end.Result != call.ResultAbandonedInQueue || end.Reason != "callback_gave_up" {
		t.Fatalf("second callback ended %s/%s, want abandoned_in_queue/callback_gave_up", end.Result, end.Reason)
	}
	h.waitIdle()

	h.reportEqualsMetrics(t, 4, map[string]int{"offered": 2, "answered": 1, "abandoned": 1, "short_abandoned": 0, "answered_within_sl": 1})
	st := h.srv.Store()
	for result, n := range map[string]float64{"answered_by_agent": 1, "abandoned_in_queue": 1} {
		if live := h.metric("hotline_calls_total", "result", result); live != n {
			t.Errorf("hotline_calls_total{result=%s} = %v, want %v", result, live, n)
		}
	}
	// The callback record's visit starts at the original queueing.
	orig, err := st.Call(ctxT(t, 5*time.Second), answeredID)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := st.Call(ctxT(t, 5*time.Second), cbAnswered)
	if err != nil {
		t.Fatal(err)
	}
	if len(orig.Visits) != 1 || orig.Visits[0].Outcome != "callback" || len(cb.Visits) != 1 ||
		cb.Visits[0].Outcome != "answered" || cb.Visits[0].Target != answeredID ||
		cb.Visits[0].Queued.Sub(orig.Visits[0].Queued).Abs() > time.Millisecond {
		t.Errorf("visits: inbound %+v, callback %+v", orig.Visits, cb.Visits)
	}
}
