package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// AgentStates are the agent states of the hotline_agents series.
var AgentStates = []string{"available", "ringing", "talking", "hold", "wrapup", "paused", "logged_out"}

// QueueSnapshot is a queue's live state, read from the ACD at scrape time.
type QueueSnapshot struct {
	Name                string
	Waiting             int
	OldestWaitSeconds   float64
	ExpectedWaitSeconds float64
	Agents              map[string]int // state → agents of the queue in it
}

var (
	waitingDesc = prometheus.NewDesc("hotline_queue_waiting_calls", "Callers waiting in the queue now.", []string{"queue"}, nil)
	oldestDesc  = prometheus.NewDesc("hotline_queue_oldest_wait_seconds", "How long the longest-waiting caller has waited.", []string{"queue"}, nil)
	ewtDesc     = prometheus.NewDesc("hotline_queue_expected_wait_seconds", "Expected wait for a caller joining now.", []string{"queue"}, nil)
	agentsDesc  = prometheus.NewDesc("hotline_agents", "Agents of the queue in each state.", []string{"queue", "state"}, nil)
)

// snapshotCollector turns the ACD's live state into gauges at scrape time,
// so they are never stale and cost nothing between scrapes.
type snapshotCollector struct{ source func() []QueueSnapshot }

func (c snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- waitingDesc
	ch <- oldestDesc
	ch <- ewtDesc
	ch <- agentsDesc
}

func (c snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	for _, q := range c.source() {
		ch <- prometheus.MustNewConstMetric(waitingDesc, prometheus.GaugeValue, float64(q.Waiting), q.Name)
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, q.OldestWaitSeconds, q.Name)
		ch <- prometheus.MustNewConstMetric(ewtDesc, prometheus.GaugeValue, q.ExpectedWaitSeconds, q.Name)
		for _, state := range AgentStates {
			ch <- prometheus.MustNewConstMetric(agentsDesc, prometheus.GaugeValue, float64(q.Agents[state]), q.Name, state)
		}
	}
}

// SetSnapshotSource registers the live queue state (once, at start).
func (m *Metrics) SetSnapshotSource(source func() []QueueSnapshot) {
	m.registry.MustRegister(snapshotCollector{source: source})
	m.liveSource.Store(&source)
}
