package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
)

// ReasonNoticeHangup is the CallEnded reason of a caller who hung up right
// after hearing an outage notice: the notice answered the call, so it counts
// as self-service.
const ReasonNoticeHangup = "notice_hangup"

// LookupResults are the values of hotline_lookups_total's result label.
var LookupResults = []string{"ok", "not_found", "timeout", "error", "circuit_open"}

// SelfService derives the self-service series from the event stream:
// account lookups, outage notices and fault reports.
type SelfService struct {
	lookups        *prometheus.CounterVec
	lookupDuration *prometheus.HistogramVec
	noticePlayed   prometheus.Counter
	noticeCallers  prometheus.Counter
	noticeHangups  prometheus.Counter
	faultReports   prometheus.Counter

	mu       sync.Mutex
	informed map[string]bool // calls in progress that heard a notice
}

// NewSelfService registers the collectors on reg and pre-creates the
// series of services, so dashboards see zeros instead of gaps.
func NewSelfService(reg prometheus.Registerer, services []string) *SelfService {
	m := &SelfService{
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_lookups_total",
			Help: "Account lookups by service and result (ok, not_found, timeout, error, circuit_open).",
		}, []string{"service", "result"}),
		lookupDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hotline_lookup_duration_seconds",
			Help:    "Time from the IVR asking a service to its answer, retries included.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8},
		}, []string{"service"}),
		noticePlayed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_notice_played_total",
			Help: "Outage notices played to callers.",
		}),
		noticeCallers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_notice_callers_total",
			Help: "Calls that heard at least one outage notice.",
		}),
		noticeHangups: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_notice_hangups_total",
			Help: "Calls where the caller hung up right after an outage notice (self-service).",
		}),
		faultReports: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_fault_reports_total",
			Help: "Fault reports filed as work orders from the IVR.",
		}),
		informed: map[string]bool{},
	}
	for _, svc := range services {
		for _, r := range LookupResults {
			m.lookups.WithLabelValues(svc, r)
		}
		m.lookupDuration.WithLabelValues(svc)
	}
	reg.MustRegister(m.lookups, m.lookupDuration, m.noticePlayed, m.noticeCallers, m.noticeHangups, m.faultReports)
	return m
}

// HandleEvent counts one event. LookupDone carries the service in Detail,
// the result in Reason and the time taken in Delay.
func (m *SelfService) HandleEvent(e call.Event) {
	switch e.Kind {
	case call.LookupDone:
		m.lookups.WithLabelValues(e.Detail, e.Reason).Inc()
		m.lookupDuration.WithLabelValues(e.Detail).Observe(e.Delay.Seconds())
	case call.NoticePlayed:
		m.noticePlayed.Inc()
		m.mu.Lock()
		if !m.informed[e.CallID] {
			m.informed[e.CallID] = true
			m.noticeCallers.Inc()
		}
		m.mu.Unlock()
	case call.FaultReported:
		m.faultReports.Inc()
	case call.CallEnded:
		m.mu.Lock()
		delete(m.informed, e.CallID)
		m.mu.Unlock()
		if e.Result == call.ResultSelfService && e.Reason == ReasonNoticeHangup {
			m.noticeHangups.Inc()
		}
	}
}
