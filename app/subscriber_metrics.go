package app

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/webhooks"
)

// registerSubscriberMetrics shows what the event bus's slow subscribers
// could not take in step. The bus calls every subscriber on the
// publisher's goroutine, often under the ACD's lock, so none of them may
// wait for a disk or a network: the webhooks queue per URL and drop when a
// queue is full; the store hands records to its spool's own goroutine and
// never drops one. Memory-only subscribers (metrics, wallboard, SSE hub,
// agent panel) stay in step and have nothing to count.
// webhookSink is the webhook dispatcher as the server uses it: a
// subscriber of the bus with delivery counts, closed at shutdown.
type webhookSink interface {
	HandleEvent(e call.Event)
	Stats() []webhooks.Stats
	Close(ctx context.Context) error
}

func (s *Server) registerSubscriberMetrics() {
	const subscriber = "subscriber"
	counter := func(name, help, who string, value func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: name, Help: help, ConstLabels: prometheus.Labels{subscriber: who},
		}, value)
	}
	reg := s.metrics.Registry()
	if hooks := s.hooks; hooks != nil {
		s.registerSubscriberDrops("webhook", func() float64 {
			var n uint64
			for _, st := range hooks.Stats() {
				n += st.Dropped
			}
			return float64(n)
		})
	}
	if st := s.store; st != nil {
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

// registerSubscriberDrops exports what one subscriber dropped: for the
// webhooks, events not queued; for the SSE hub, streams it gave up on
// (each missed that event and the rest).
func (s *Server) registerSubscriberDrops(who string, dropped func() float64) {
	s.metrics.Registry().MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name:        "hotline_event_subscriber_dropped_total",
		Help:        "Events a subscriber dropped because its bounded queue was full (sse: streams given up on).",
		ConstLabels: prometheus.Labels{"subscriber": who},
	}, dropped))
}
