package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/call"
)

func TestCallbackSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	pending := map[string]int{"billing": 2}
	c, err := NewCallbacks(reg, []string{"billing", "repair"}, func() map[string]int { return pending })
	if err != nil {
		t.Fatal(err)
	}
	c.HandleEvent(call.Event{Kind: call.CallbackRequested, Queue: "billing"})
	c.HandleEvent(call.Event{Kind: call.CallbackAttempted, Queue: "billing", Reason: "busy"})
	c.HandleEvent(call.Event{Kind: call.CallbackAttempted, Queue: "billing", Reason: "answered"})
	c.HandleEvent(call.Event{Kind: call.Queued, Queue: "billing"}) // not ours
	want := `
# HELP hotline_callbacks_pending Callbacks waiting for an agent, in their retry pause or being dialled, by queue.
# TYPE hotline_callbacks_pending gauge
hotline_callbacks_pending{queue="billing"} 2
hotline_callbacks_pending{queue="repair"} 0
# HELP hotline_callbacks_requested_total Waiting callers who left the queue to be called back, by queue.
# TYPE hotline_callbacks_requested_total counter
hotline_callbacks_requested_total{queue="billing"} 1
hotline_callbacks_requested_total{queue="repair"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hotline_callbacks_pending", "hotline_callbacks_requested_total"); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(c.attempts.WithLabelValues("billing", "busy")); got != 1 {
		t.Fatalf("busy attempts = %v", got)
	}
	if got := testutil.ToFloat64(c.attempts.WithLabelValues("billing", "answered")); got != 1 {
		t.Fatalf("answered attempts = %v", got)
	}
	if _, err := NewCallbacks(prometheus.NewRegistry(), nil, nil); err == nil {
		t.Fatal("nil source accepted")
	}
}
