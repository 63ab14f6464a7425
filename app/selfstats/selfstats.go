package selfstats

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/webhooks"
)

// WebhookStats are the webhook dispatcher's delivery counts per URL.
type WebhookStats interface{ Stats() []webhooks.Stats }

// Subscribers shows what the event bus's slow subscribers could not take
// in step. The bus calls every subscriber on the publisher's goroutine,
// often under the ACD's lock, so none of them may wait for a disk or a
// network: the webhooks queue per URL and drop when a queue is full; the
// store hands records to its spool's own goroutine and never drops one.
// Memory-only subscribers (metrics, wallboard, SSE hub, agent panel) stay
// in step and have nothing to count. hooks and st may be nil (not
// configured, not open).
func Subscribers(reg prometheus.Registerer, hooks WebhookStats, st *store.Store) {
	const subscriber = "subscriber"
	counter := func(name, help, who string, value func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: name, Help: help, ConstLabels: prometheus.Labels{subscriber: who},
		}, value)
	}
	if hooks != nil {
		Drops(reg, "webhook", func() float64 {
			var n uint64
			for _, st := range hooks.Stats() {
				n += st.Dropped
			}
			return float64(n)
		})
	}
	if st != nil {
		stat := func(v func(store.Stats) float64) func() float64 { return func() float64 { return v(st.Stats()) } }
		reg.MustRegister(
			counter("hotline_event_subscriber_spilled_total",
				"Records a subscriber sent to its disk spool, from a goroutine of its own, instead of its in-memory queue.",
				"store", stat(func(x store.Stats) float64 { return float64(x.Spilled) })),
			counter("hotline_event_subscriber_overflow_total",
				"Records a lossless subscriber held in memory past its bound because its disk was slower than the calls.",
				"store", stat(func(x store.Stats) float64 { return float64(x.SpillOverflow) })),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "hotline_store_spill_backlog_records",
				Help: "Records handed to the disk spool and not yet written to it.",
			}, stat(func(x store.Stats) float64 { return float64(x.SpillBacklog) })),
		)
	}
}

// Drops exports what one subscriber dropped: for the webhooks, events not
// queued; for the SSE hub, streams it gave up on (each missed that event
// and the rest).
func Drops(reg prometheus.Registerer, who string, dropped func() float64) {
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name:        "hotline_event_subscriber_dropped_total",
		Help:        "Events a subscriber dropped because its bounded queue was full (sse: streams given up on).",
		ConstLabels: prometheus.Labels{"subscriber": who},
	}, dropped))
}

// Store shows the record pipeline's health on /metrics: a spool that
// grows or a database that is not reached needs an operator.
func Store(reg prometheus.Registerer, st *store.Store) {
	gauge := func(name, help string, value func(store.Stats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return value(st.Stats()) })
	}
	reg.MustRegister(
		gauge("hotline_store_spool_records", "Records waiting in the disk spool for the database.",
			func(x store.Stats) float64 { return float64(x.SpoolRecords) }),
		gauge("hotline_store_queued_records", "Records in the in-memory write queue.",
			func(x store.Stats) float64 { return float64(x.Queued) }),
		gauge("hotline_store_up", "1 when the last write to the database succeeded, 0 while records wait for it.",
			func(x store.Stats) float64 {
				if x.LastError == nil && x.DatabaseConnected {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hotline_store_write_errors_total", Help: "Failed attempts to write records or reach the database."},
			func() float64 { return float64(st.Stats().WriteErrors) }),
	)
}
