package cluster

import (
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// The subject label values of hotline_cluster_bad_messages_total: one per
// kind of cluster traffic, never a node id, so the series stay few.
const (
	SubjectCommands      = "commands"
	SubjectLease         = "lease"
	SubjectNodes         = "nodes"
	SubjectRegistrations = "registrations"
	SubjectAgents        = "agents"
	SubjectReload        = "reload"
)

// Metrics are the cluster's Prometheus series. A nil *Metrics counts
// nothing, for tests that do not look.
type Metrics struct {
	bad      *prometheus.CounterVec
	leader   prometheus.Gauge
	term     prometheus.Gauge
	takeover prometheus.Counter
	differs  prometheus.Gauge
	up       prometheus.Gauge
	reloads  prometheus.Counter

	// hotline_cluster_config_differs is 1 while either holds: the file
	// differs from the reloading node's, or the ACD missed a reload.
	mu                      sync.Mutex
	fileDiffers, acdDiffers bool
}

// NewMetrics registers the cluster's series with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		bad: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_cluster_bad_messages_total",
			Help: "Cluster messages dropped because they did not parse or failed their checks, by kind of subject.",
		}, []string{"subject"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hotline_cluster_leader",
			Help: "1 while this node holds the leader lease, else 0.",
		}),
		term: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hotline_cluster_term",
			Help: "The newest leader term (fencing token) this node has seen.",
		}),
		takeover: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_cluster_leader_terms_total",
			Help: "Terms this node began as leader.",
		}),
		differs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hotline_cluster_config_differs",
			Help: "1 while this node runs another configuration than the node whose reload it followed last, or its ACD missed a reload of agents and queues.",
		}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_cluster_reload_failures_total",
			Help: "Reloads of the cluster's agents and queues this node could not apply: their configuration could not be fetched or read.",
		}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hotline_cluster_connected",
			Help: "1 while this node is connected to NATS; at 0 it refuses new calls.",
		}),
	}
	for _, s := range []string{SubjectCommands, SubjectLease, SubjectNodes, SubjectRegistrations, SubjectAgents, SubjectReload} {
		m.bad.WithLabelValues(s)
	}
	for _, c := range []prometheus.Collector{m.bad, m.leader, m.term, m.takeover, m.differs, m.up, m.reloads} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("cluster metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) badMessage(subject string) {
	if m != nil {
		m.bad.WithLabelValues(subject).Inc()
	}
}

func (m *Metrics) leading(on bool, term uint64) {
	if m == nil {
		return
	}
	if on {
		m.leader.Set(1)
		m.takeover.Inc()
		m.term.Set(float64(term))
		return
	}
	m.leader.Set(0)
}

func (m *Metrics) sawTerm(term uint64) {
	if m != nil {
		m.term.Set(float64(term))
	}
}

func (m *Metrics) configDiffers(on bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fileDiffers = on
	m.setDiffers()
}

// acdReload records whether this node's ACD applied the last reload of
// agents and queues; a missed one is counted.
func (m *Metrics) acdReload(applied bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !applied {
		m.reloads.Inc()
	}
	m.acdDiffers = !applied
	m.setDiffers()
}

func (m *Metrics) setDiffers() {
	v := 0.0
	if m.fileDiffers || m.acdDiffers {
		v = 1
	}
	m.differs.Set(v)
}

func (m *Metrics) connected(up bool) {
	if m == nil {
		return
	}
	if up {
		m.up.Set(1)
		return
	}
	m.up.Set(0)
}
