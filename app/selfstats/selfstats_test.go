package selfstats

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/internal/promtest"
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
		return promtest.Value(t, reg, "hotline_event_subscriber_dropped_total", "subscriber", "webhook")
	}
	if got := dropped(); got != 0 {
		t.Fatalf("dropped at start = %v", got)
	}
	hooks.stats[0].Dropped, hooks.stats[1].Dropped = 1, 2
	if got := dropped(); got != 3 {
		t.Errorf("dropped = %v, want 3", got)
	}
}
