package app

import (
	"testing"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/metrics"
)

// What a full webhook queue drops shows on /metrics, summed over the URLs
// (a URL may carry a secret: it is no label).
func TestWebhookDropsAreExported(t *testing.T) {
	hooks, entered, release := stuckWebhooks(t)
	s := &Server{metrics: metrics.New(), hooks: hooks}
	s.registerSubscriberMetrics()
	dropped := func() float64 {
		return gathered(t, s, "hotline_event_subscriber_dropped_total", "subscriber", "webhook")
	}
	if got := dropped(); got != 0 {
		t.Fatalf("dropped at start = %v", got)
	}
	hooks.HandleEvent(call.Event{Kind: call.Queued})
	<-entered // the sender holds the first delivery; the queue is empty
	for range 5 {
		hooks.HandleEvent(call.Event{Kind: call.Queued})
	}
	if got := dropped(); got != 3 {
		t.Errorf("dropped = %v, want 3", got)
	}
	close(release)
	closeHooks(t, hooks)
}

// gathered reads one counter or gauge from the server's registry.
func gathered(t *testing.T, s *Server, name string, labels ...string) float64 {
	t.Helper()
	families, err := s.metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if !hasLabels(m, labels) {
				continue
			}
			if m.Counter != nil {
				return m.Counter.GetValue()
			}
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("metric %s%v not found", name, labels)
	return 0
}
