package metrics

import (
	"cmp"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueInfo is what the configuration says about a queue before its first
// call: enough to create its series and to show it to people.
type QueueInfo struct {
	Name string
	// DisplayName is how people see the queue (the wallboard); the name
	// when empty.
	DisplayName string
	// OverflowTargets are where the queue's callers may overflow to (its
	// configured overflow). The empty target, a caller leaving the ACD
	// without one, is always created.
	OverflowTargets []string
}

// LabelValues are the values of the per-queue labels other than queue,
// as the ACD defines them.
type LabelValues struct {
	TransferKinds []string // kind of hotline_transfers_total
	Categories    []string // category of hotline_dispositions_total
}

// Values of hotline_dispositions_total's resolved label.
const (
	resolvedYes = "yes"
	resolvedNo  = "no"
)

// waitOutcomes are the outcome values of hotline_queue_wait_seconds.
var waitOutcomes = []string{"answered", "abandoned", "overflowed"}

// InitQueues creates every per-queue series whose labels are known in
// advance, counters at 0 and histograms empty, so a configured queue shows
// on dashboards before its first call and rate() and increase() see its
// first one. It runs at start and on every reload; a series already there
// keeps its value. It also remembers each queue's display name.
func (m *Metrics) InitQueues(queues []QueueInfo, values LabelValues) {
	q := m.queue
	display := make(map[string]string, len(queues))
	for _, info := range queues {
		name := info.Name
		display[name] = cmp.Or(info.DisplayName, name)
		for _, c := range []*prometheus.CounterVec{q.offered, q.answered, q.withinSL, q.abandoned, q.shortAbandoned} {
			c.WithLabelValues(name)
		}
		for _, h := range []*prometheus.HistogramVec{q.talk, q.hold, q.wrapup, q.handle} {
			h.WithLabelValues(name)
		}
		for _, outcome := range waitOutcomes {
			q.wait.WithLabelValues(name, outcome)
		}
		q.overflowed.WithLabelValues(name, "")
		for _, target := range info.OverflowTargets {
			q.overflowed.WithLabelValues(name, target)
		}
		for _, kind := range values.TransferKinds {
			q.transfers.WithLabelValues(name, kind)
		}
		for _, category := range values.Categories {
			q.dispositions.WithLabelValues(name, category, resolvedYes)
			q.dispositions.WithLabelValues(name, category, resolvedNo)
		}
	}
	m.displayNames.Store(&display)
}

// DisplayName is how people see a queue: its configured display name, or
// its name. The wallboard and the agent panel show it.
func (m *Metrics) DisplayName(queue string) string {
	if names := m.displayNames.Load(); names != nil {
		if d, ok := (*names)[queue]; ok {
			return d
		}
	}
	return queue
}
