package metrics

import (
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/metrics/rolling"
)

// Stage is where a live call currently is, for hotline_active_calls.
type Stage string

const (
	StageIVR     Stage = "ivr"
	StageQueue   Stage = "queue"
	StageRinging Stage = "ringing"
	StageTalking Stage = "talking"
	StageSurvey  Stage = "survey"
)

var stages = []Stage{StageIVR, StageQueue, StageRinging, StageTalking, StageSurvey}

// Metrics owns the registry and every collector of the server.
type Metrics struct {
	registry *prometheus.Registry

	calls        *prometheus.CounterVec
	answerDelay  prometheus.Histogram
	activeCalls  *prometheus.GaugeVec
	sendLateness prometheus.Histogram
	packetsLost  prometheus.Counter

	queue *queueSeries

	mu              sync.Mutex
	callStage       map[string]Stage
	answeredCalls   map[string]*queuedCall
	queueThresholds map[string]QueueThresholds

	windows    atomic.Pointer[rolling.Set]            // rolling KPI windows, once enabled
	liveSource atomic.Pointer[func() []QueueSnapshot] // the ACD's live state, for the wallboard
	agents     atomic.Pointer[agentSeries]            // per-agent series, once enabled

	displayNames atomic.Pointer[map[string]string] // how people see each configured queue
}

// New builds the collectors and registers them with Go runtime and process
// metrics on a registry of their own.
func New() *Metrics {
	m := &Metrics{
		registry:      prometheus.NewRegistry(),
		callStage:     make(map[string]Stage),
		answeredCalls: make(map[string]*queuedCall),
		queue:         newQueueSeries(),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_calls_total",
			Help: "Calls that reached the server, by how they ended.",
		}, []string{"result"}),
		answerDelay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hotline_answer_delay_seconds",
			Help: "Time from INVITE received to 200 OK sent, for every answered call.",
			// A ring cycle is 6 s in most countries; "within 3 rings" is 18 s.
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 6, 12, 18, 30},
		}),
		activeCalls: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hotline_active_calls",
			Help: "Calls in progress, by stage.",
		}, []string{"stage"}),
		sendLateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hotline_rtp_send_lateness_seconds",
			Help: "How late each paced RTP packet left against its own 20 ms schedule.",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005,
				0.0075, 0.01, 0.015, 0.02, 0.04, 0.08},
		}),
		packetsLost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_rtp_packets_lost_total",
			Help: "RTP packets from callers that never arrived (sequence gaps).",
		}),
	}
	for _, r := range call.Results {
		m.calls.WithLabelValues(string(r))
	}
	for _, s := range stages {
		m.activeCalls.WithLabelValues(string(s))
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.calls, m.answerDelay, m.activeCalls, m.sendLateness, m.packetsLost,
	)
	m.registry.MustRegister(m.queue.collectors()...)
	return m
}

// Registry exposes the registry so other packages can add their collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// ObserveSendLateness records one paced packet's lateness. It is called on the
// media hot path and does not allocate.
func (m *Metrics) ObserveSendLateness(seconds float64) { m.sendLateness.Observe(seconds) }

// AddPacketsLost adds a finished stream's lost packets.
func (m *Metrics) AddPacketsLost(n uint64) {
	if n > 0 {
		m.packetsLost.Add(float64(n))
	}
}

// HandleEvent derives the series from one call event.
func (m *Metrics) HandleEvent(e call.Event) {
	switch e.Kind {
	case call.CallAnswered:
		m.answerDelay.Observe(e.Delay.Seconds())
		m.moveTo(e.CallID, StageIVR)
	case call.QueueRequested:
		m.moveTo(e.CallID, StageQueue)
	case call.CallBlocked:
		// A call refused at the door (channel limit, draining) ends here.
		// One refused by a full queue is in progress: its CallEnded
		// counts it.
		if !m.inProgress(e.CallID) {
			m.calls.WithLabelValues(string(e.Result)).Inc()
		}
	case call.CallEnded:
		m.leave(e.CallID)
		// A caller who chose a callback is not counted yet: the callback
		// record carries the call on and counts it once, answered or
		// abandoned, when it ends (docs/kpis.md's result values).
		if e.Result != call.ResultCallback {
			m.calls.WithLabelValues(string(e.Result)).Inc()
		}
	case call.AgentOffered:
		m.moveTo(e.CallID, StageRinging)
	case call.AgentAnswered:
		m.moveTo(e.CallID, StageTalking)
	case call.Abandoned, call.Overflowed, call.AgentNoAnswer:
		if e.Kind == call.AgentNoAnswer {
			m.moveTo(e.CallID, StageQueue)
		}
	}
	if e.Kind >= call.Queued {
		m.mu.Lock()
		m.handleQueueEvent(e)
		m.mu.Unlock()
	}
	m.windowEvent(e)
	m.agentEvent(e)
}

// MoveTo lets the call layer report stage changes that have no event of
// their own yet (ringing an agent, talking, survey).
func (m *Metrics) MoveTo(callID string, s Stage) { m.moveTo(callID, s) }

func (m *Metrics) moveTo(callID string, s Stage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.callStage[callID]; ok {
		m.activeCalls.WithLabelValues(string(old)).Dec()
	}
	m.callStage[callID] = s
	m.activeCalls.WithLabelValues(string(s)).Inc()
}

func (m *Metrics) inProgress(callID string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.callStage[callID]
	return ok
}

func (m *Metrics) leave(callID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.callStage[callID]; ok {
		m.activeCalls.WithLabelValues(string(old)).Dec()
		delete(m.callStage, callID)
	}
}
