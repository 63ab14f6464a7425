package selfstats

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/hotline-oss/hotline/webhooks"
)

// countedHooks reports the delivery counts it is given (what a full queue
// drops is the webhooks package's own test).
type countedHooks struct{ stats []webhooks.Stats }

func (h *countedHooks) Stats() []webhooks.Stats { return h.stats }

// What the webhook queues drop shows on /metrics, summed over the URLs
// (a URL may carry a secret: it is no label).
func TestWebhookDropsAreExported(t *testing.T) {
	hooks := &countedHooks{stats: []webhooks.Stats{{URL: "https://a.example"}, {URL: "https://b.example"}}}
	reg := prometheus.NewRegistry()
	Subscribers(reg, hooks, nil)
	dropped := func() float64 {
		return gathered(t, reg, "hotline_event_subscriber_dropped_total", "subscriber", "webhook")
	}
	if got := dropped(); got != 0 {
		t.Fatalf("dropped at start = %v", got)
	}
	hooks.stats[0].Dropped, hooks.stats[1].Dropped = 1, 2
	if got := dropped(); got != 3 {
		t.Errorf("dropped = %v, want 3", got)
	}
}

// gathered reads one counter or gauge from the registry.
func gathered(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
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

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, lp := range m.GetLabel() {
			if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
