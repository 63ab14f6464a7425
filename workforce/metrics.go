package workforce

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collector is the service's Prometheus series, computed at scrape time
// from the live tracker. The agent label holds configured agents only and
// the team label queue names and "all", so both stay bounded.
func (s *Service) Collector() prometheus.Collector { return collector{s: s, descs: workforceDescs()} }

type collector struct {
	s     *Service
	descs [4]*prometheus.Desc
}

func workforceDescs() [4]*prometheus.Desc {
	return [4]*prometheus.Desc{
		prometheus.NewDesc("hotline_agent_adherence_ratio",
			"Schedule adherence of the agent today so far: adherent ÷ scheduled time (absent before any scheduled time).", []string{"agent"}, nil),
		prometheus.NewDesc("hotline_agent_in_adherence",
			"1 when the agent does what the schedule plans now, 0 when not; absent when nothing is planned now.", []string{"agent"}, nil),
		prometheus.NewDesc("hotline_team_adherence_ratio",
			"Schedule adherence of a team today so far (team: a queue's agents, or all).", []string{"team"}, nil),
		prometheus.NewDesc("hotline_adherence_alerts_total",
			"Out-of-adherence alerts raised.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	live := c.s.Live()
	for _, l := range live {
		if l.Adherence != nil {
			ch <- prometheus.MustNewConstMetric(c.descs[0], prometheus.GaugeValue, *l.Adherence, l.Agent)
		}
		if l.InAdherence != nil {
			v := 0.0
			if *l.InAdherence {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(c.descs[1], prometheus.GaugeValue, v, l.Agent)
		}
	}
	for team, t := range c.s.TeamTally(live) {
		if r, ok := t.Ratio(); ok {
			ch <- prometheus.MustNewConstMetric(c.descs[2], prometheus.GaugeValue, r, team)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.descs[3], prometheus.CounterValue, float64(c.s.alerts.Load()))
}
