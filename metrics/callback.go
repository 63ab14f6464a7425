package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
)

// CallbackResults are the values of hotline_callback_attempts_total's
// result label: the Reason of call.CallbackAttempted.
var CallbackResults = []string{"answered", "busy", "no_answer", "failed", "agent_hangup", "gave_up"}

// Callbacks holds the virtual-hold series. They derive from the
// CallbackRequested and CallbackAttempted events; the pending gauge is read
// from the ACD at scrape time.
type Callbacks struct {
	requested *prometheus.CounterVec
	attempts  *prometheus.CounterVec
	pending   *pendingCollector
}

// pendingCollector reports hotline_callbacks_pending from a source read at
// scrape time, so the gauge cannot drift from the ACD's own count.
type pendingCollector struct {
	desc   *prometheus.Desc
	queues []string
	source func() map[string]int
}

func (p *pendingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- p.desc }

func (p *pendingCollector) Collect(ch chan<- prometheus.Metric) {
	counts := p.source()
	for _, q := range p.queues {
		ch <- prometheus.MustNewConstMetric(p.desc, prometheus.GaugeValue, float64(counts[q]), q)
	}
}

// NewCallbacks registers the callback series on reg for queues (those
// offering callbacks); pending reports the callbacks each queue holds.
func NewCallbacks(reg prometheus.Registerer, queues []string, pending func() map[string]int) (*Callbacks, error) {
	if pending == nil {
		return nil, fmt.Errorf("metrics: callbacks: nil pending source")
	}
	c := &Callbacks{
		requested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_callbacks_requested_total",
			Help: "Waiting callers who left the queue to be called back, by queue.",
		}, []string{"queue"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_callback_attempts_total",
			Help: "Callback dial-outs by outcome (answered, busy, no_answer, failed, agent_hangup), and gave_up once per callback abandoned.",
		}, []string{"queue", "result"}),
		pending: &pendingCollector{
			desc: prometheus.NewDesc("hotline_callbacks_pending",
				"Callbacks waiting for an agent, in their retry pause or being dialled, by queue.", []string{"queue"}, nil),
			queues: queues, source: pending,
		},
	}
	for _, col := range []prometheus.Collector{c.requested, c.attempts, c.pending} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("metrics: callbacks: %w", err)
		}
	}
	for _, q := range queues {
		c.requested.WithLabelValues(q)
		for _, r := range CallbackResults {
			c.attempts.WithLabelValues(q, r)
		}
	}
	return c, nil
}

// HandleEvent counts callback requests and attempts.
func (c *Callbacks) HandleEvent(e call.Event) {
	switch e.Kind {
	case call.CallbackRequested:
		c.requested.WithLabelValues(e.Queue).Inc()
	case call.CallbackAttempted:
		c.attempts.WithLabelValues(e.Queue, e.Reason).Inc()
	}
}
