package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// CallbackRefusals counts callbacks refused against toll fraud, by reason.
type CallbackRefusals struct {
	refused *prometheus.CounterVec
	known   map[string]bool
}

// NewCallbackRefusals registers hotline_callbacks_refused_total on reg with
// every reason at 0, so a rate or an alert works before the first refusal.
func NewCallbackRefusals(reg prometheus.Registerer, reasons []string) (*CallbackRefusals, error) {
	if len(reasons) == 0 {
		return nil, fmt.Errorf("metrics: callback refusals: no reasons")
	}
	r := &CallbackRefusals{
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_callbacks_refused_total",
			Help: "Callbacks refused or withheld against toll fraud, by reason (untrusted_source, not_allowed, not_known, not_confirmed, number_cap, hourly_cap).",
		}, []string{"reason"}),
		known: make(map[string]bool, len(reasons)),
	}
	if err := reg.Register(r.refused); err != nil {
		return nil, fmt.Errorf("metrics: callback refusals: %w", err)
	}
	for _, reason := range reasons {
		r.known[reason] = true
		r.refused.WithLabelValues(reason)
	}
	return r, nil
}

// Refused counts one refusal. A reason outside the fixed set is a
// programming error; it is dropped rather than adding a series.
func (r *CallbackRefusals) Refused(reason string) {
	if r == nil || !r.known[reason] {
		return
	}
	r.refused.WithLabelValues(reason).Inc()
}
