package quality

import "github.com/prometheus/client_golang/prometheus"

// Gauges are the quality review's Prometheus series. Labels stay
// bounded: agents and teams come from the configuration, forms too.
type Gauges struct {
	reviews *prometheus.CounterVec
	agent   *prometheus.GaugeVec
	team    *prometheus.GaugeVec
	all     prometheus.Gauge
}

// NewGauges registers the series on reg.
func NewGauges(reg prometheus.Registerer) *Gauges {
	g := &Gauges{
		reviews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_quality_reviews_total", Help: "Quality reviews saved, by evaluation form.",
		}, []string{"form"}),
		agent: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hotline_quality_agent_score_ratio", Help: "Mean monitoring score of the agent's calls reviewed this month (0-1).",
		}, []string{"agent"}),
		team: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hotline_quality_team_score_ratio", Help: "Mean monitoring score of the team's calls reviewed this month (0-1).",
		}, []string{"team"}),
		all: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hotline_quality_score_ratio", Help: "Mean monitoring score of every call reviewed this month (0-1).",
		}),
	}
	reg.MustRegister(g.reviews, g.agent, g.team, g.all)
	return g
}

func (g *Gauges) reviewed(form string) {
	if g != nil {
		g.reviews.WithLabelValues(form).Inc()
	}
}

// set replaces the month's scores; agents and teams without a review
// this month have no series (a score of 0 would read as a failure).
func (g *Gauges) set(v ScoresView) {
	g.agent.Reset()
	g.team.Reset()
	for _, a := range v.Agents {
		g.agent.WithLabelValues(a.Name).Set(a.Mean / 100)
	}
	for _, t := range v.Teams {
		if t.Reviews > 0 {
			g.team.WithLabelValues(t.Name).Set(t.Mean / 100)
		}
	}
	g.all.Set(v.All.Mean / 100)
}
