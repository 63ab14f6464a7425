package app

import (
	"sort"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/metrics"
)

// queueThresholds are the KPI thresholds per queue (docs/kpis.md defaults:
// service level 20 s, short abandon 5 s).
func queueThresholds(cfg *config.Config) map[string]metrics.QueueThresholds {
	out := make(map[string]metrics.QueueThresholds, len(cfg.Queues))
	for name, q := range cfg.Queues {
		t := metrics.QueueThresholds{ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second}
		if q.ServiceLevelSeconds != nil {
			t.ServiceLevel = time.Duration(*q.ServiceLevelSeconds) * time.Second
		}
		if q.ShortAbandonSeconds != nil {
			t.ShortAbandon = time.Duration(*q.ShortAbandonSeconds) * time.Second
		}
		out[name] = t
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
