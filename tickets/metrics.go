package tickets

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/store"
)

// ticketMetrics are the ticket series (docs/metrics.md). Categories are
// a short configured list, so they may label series; callers and owners
// never do.
type ticketMetrics struct {
	openedTotal    *prometheus.CounterVec
	closedTotal    *prometheus.CounterVec
	escalatedTotal *prometheus.CounterVec
	reopenedTotal  prometheus.Counter
	closeSeconds   *prometheus.HistogramVec
	visitsTotal    *prometheus.CounterVec
}

// Return-visit outcomes, the result label of hotline_ticket_return_visits_total.
const (
	visitAnswered = "answered"   // the survey was answered
	visitNoAnswer = "no_answer"  // not answered, busy or hung up before the end: tried again
	visitRefused  = "refused"    // the dial policy refused the number
	visitGaveUp   = "gave_up"    // no more attempts
	visitFailed   = "dial_error" // the call could not be placed: tried again
)

var visitResults = []string{visitAnswered, visitNoAnswer, visitRefused, visitGaveUp, visitFailed}

func newTicketMetrics(reg prometheus.Registerer, overdue func() float64) (*ticketMetrics, error) {
	m := &ticketMetrics{
		openedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_tickets_opened_total", Help: "Tickets opened, by category and urgency.",
		}, []string{"category", "urgency"}),
		closedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_tickets_closed_total",
			Help: "Tickets closed, by category and whether the customer was answered by the deadline (in_deadline).",
		}, []string{"category", "in_deadline"}),
		escalatedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_tickets_escalated_total", Help: "Tickets that passed their answer deadline unanswered, by category.",
		}, []string{"category"}),
		reopenedTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_tickets_reopened_total", Help: "Tickets reopened (by hand, or by a return visit that found them unresolved).",
		}),
		closeSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hotline_ticket_close_seconds", Help: "Time from opening to closing a ticket, by category.",
			Buckets: []float64{600, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 48 * 3600, 72 * 3600, 7 * 24 * 3600},
		}, []string{"category"}),
		visitsTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_ticket_return_visits_total",
			Help: "Return-visit call attempts by result (answered, no_answer, dial_error, refused, gave_up).",
		}, []string{"result"}),
	}
	gauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hotline_tickets_overdue", Help: "Tickets past their answer deadline and not yet answered, now.",
	}, overdue)
	for _, c := range []prometheus.Collector{m.openedTotal, m.closedTotal, m.escalatedTotal, m.reopenedTotal,
		m.closeSeconds, m.visitsTotal, gauge} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("tickets: metrics: %w", err)
		}
	}
	for _, r := range visitResults {
		m.visitsTotal.WithLabelValues(r)
	}
	return m, nil
}

func (m *ticketMetrics) opened(t store.Ticket) {
	m.openedTotal.WithLabelValues(t.Category, t.Urgency).Inc()
}

// changed counts what a change means for the figures.
func (m *ticketMetrics) changed(prev State, t store.Ticket, now time.Time) {
	switch State(t.State) {
	case Closed:
		if prev != Closed {
			inDeadline := !t.Answered.IsZero() && !t.Answered.After(t.Due)
			m.closedTotal.WithLabelValues(t.Category, fmt.Sprint(inDeadline)).Inc()
			m.closeSeconds.WithLabelValues(t.Category).Observe(now.Sub(t.Created).Seconds())
		}
	case Reopened:
		if prev != Reopened {
			m.reopenedTotal.Inc()
		}
	}
}

func (m *ticketMetrics) escalated(t store.Ticket) { m.escalatedTotal.WithLabelValues(t.Category).Inc() }

func (m *ticketMetrics) visit(result string) { m.visitsTotal.WithLabelValues(result).Inc() }
