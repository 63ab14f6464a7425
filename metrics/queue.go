package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/metrics/rolling"
)

// QueueThresholds are a queue's KPI thresholds (docs/kpis.md): the service-level
// answer time and the wait under which an abandon is "short".
type QueueThresholds = rolling.QueueThresholds

// waitBuckets cover answer and abandon times from seconds to the longest
// waits a hotline tolerates.
var waitBuckets = []float64{1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200}

// handleBuckets cover talk, hold, wrap-up and handle times.
var handleBuckets = []float64{5, 10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800}

type queueSeries struct {
	offered, answered, withinSL, abandoned, shortAbandoned *prometheus.CounterVec
	overflowed, transfers, dispositions                    *prometheus.CounterVec
	wait, talk, hold, wrapup, handle                       *prometheus.HistogramVec
}

func newQueueSeries() *queueSeries {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	}
	return &queueSeries{
		offered:        counter("hotline_queue_offered_total", "Calls that entered the queue.", "queue"),
		answered:       counter("hotline_queue_answered_total", "Queued calls connected to an agent.", "queue"),
		withinSL:       counter("hotline_queue_answered_within_sl_total", "Queued calls answered within the queue's service_level_seconds.", "queue"),
		abandoned:      counter("hotline_queue_abandoned_total", "Queued calls whose caller hung up before an agent answered.", "queue"),
		shortAbandoned: counter("hotline_queue_short_abandoned_total", "Abandoned calls that waited no longer than short_abandon_seconds.", "queue"),
		overflowed:     counter("hotline_queue_overflowed_total", "Calls that left the queue for another queue or IVR node.", "queue", "target"),
		transfers:      counter("hotline_transfers_total", "Answered calls transferred by the agent.", "queue", "kind"),
		dispositions:   counter("hotline_dispositions_total", "Dispositions agents set, by category and whether resolved.", "queue", "category", "resolved"),
		wait:           histogram("hotline_queue_wait_seconds", "Time in the queue, by how the wait ended.", waitBuckets, "queue", "outcome"),
		talk:           histogram("hotline_talk_seconds", "Agent talk time per answered call, hold excluded.", handleBuckets, "queue"),
		hold:           histogram("hotline_hold_seconds", "Time callers spent on hold per answered call.", handleBuckets, "queue"),
		wrapup:         histogram("hotline_wrapup_seconds", "After-call work per answered call.", handleBuckets, "queue"),
		handle:         histogram("hotline_handle_seconds", "Talk + hold + after-call work per answered call.", handleBuckets, "queue"),
	}
}

func (q *queueSeries) collectors() []prometheus.Collector {
	return []prometheus.Collector{q.offered, q.answered, q.withinSL, q.abandoned, q.shortAbandoned,
		q.overflowed, q.transfers, q.dispositions, q.wait, q.talk, q.hold, q.wrapup, q.handle}
}

// queuedCall follows one answered call from answer to the end of wrap-up,
// so talk, hold and handle times can be observed when they are known.
type queuedCall struct {
	queue      string
	answered   time.Time
	heldSince  time.Time
	held       time.Duration
	talkEnded  time.Time
	talkPlusHo time.Duration
}

// handleQueueEvent derives the queue series from one event; m.mu is held.
func (m *Metrics) handleQueueEvent(e call.Event) {
	q := m.queue
	switch e.Kind {
	case call.Queued:
		q.offered.WithLabelValues(e.Queue).Inc()
	case call.AgentAnswered:
		q.answered.WithLabelValues(e.Queue).Inc()
		if e.Wait <= m.thresholds(e.Queue).ServiceLevel {
			q.withinSL.WithLabelValues(e.Queue).Inc()
		}
		q.wait.WithLabelValues(e.Queue, "answered").Observe(e.Wait.Seconds())
		m.answeredCalls[e.CallID] = &queuedCall{queue: e.Queue, answered: e.Time}
	case call.Abandoned:
		q.abandoned.WithLabelValues(e.Queue).Inc()
		if e.Wait <= m.thresholds(e.Queue).ShortAbandon {
			q.shortAbandoned.WithLabelValues(e.Queue).Inc()
		}
		q.wait.WithLabelValues(e.Queue, "abandoned").Observe(e.Wait.Seconds())
	case call.Overflowed:
		q.overflowed.WithLabelValues(e.Queue, e.Target).Inc()
		q.wait.WithLabelValues(e.Queue, "overflowed").Observe(e.Wait.Seconds())
	case call.Held:
		if c := m.answeredCalls[e.CallID]; c != nil {
			c.heldSince = e.Time
		}
	case call.Unheld:
		if c := m.answeredCalls[e.CallID]; c != nil && !c.heldSince.IsZero() {
			c.held += e.Time.Sub(c.heldSince)
			c.heldSince = time.Time{}
		}
	case call.Transferred:
		q.transfers.WithLabelValues(e.Queue, e.TransferKind).Inc()
	case call.TalkEnded:
		m.talkEnded(e)
	case call.WrapupEnded:
		if c := m.answeredCalls[e.CallID]; c != nil {
			acw := e.Time.Sub(c.talkEnded)
			q.wrapup.WithLabelValues(c.queue).Observe(acw.Seconds())
			q.handle.WithLabelValues(c.queue).Observe((c.talkPlusHo + acw).Seconds())
			delete(m.answeredCalls, e.CallID)
		}
	case call.DispositionSet:
		resolved := resolvedNo
		if e.Resolved {
			resolved = resolvedYes
		}
		q.dispositions.WithLabelValues(e.Queue, e.Category, resolved).Inc()
	}
}

func (m *Metrics) talkEnded(e call.Event) {
	c := m.answeredCalls[e.CallID]
	if c == nil {
		return
	}
	if !c.heldSince.IsZero() {
		c.held += e.Time.Sub(c.heldSince)
		c.heldSince = time.Time{}
	}
	total := e.Time.Sub(c.answered)
	m.queue.talk.WithLabelValues(c.queue).Observe((total - c.held).Seconds())
	m.queue.hold.WithLabelValues(c.queue).Observe(c.held.Seconds())
	c.talkEnded, c.talkPlusHo = e.Time, total
}

func (m *Metrics) thresholds(queue string) QueueThresholds {
	if t, ok := m.queueThresholds[queue]; ok {
		return t
	}
	return QueueThresholds{ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second}
}

// SetQueueThresholds sets each queue's service level and short-abandon
// thresholds (before calls flow).
func (m *Metrics) SetQueueThresholds(t map[string]QueueThresholds) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.queueThresholds = t
}
