package metrics

import (
	"fmt"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
)

// Care holds the series of the customer-care features: post-call survey,
// sticky agent, repeat complainers and recording. Satisfaction (docs/kpis.md)
// derives from hotline_survey_responses_total: the share of score 4 and 5
// among all responses, and the mean score.
type Care struct {
	surveys        *prometheus.CounterVec
	agentScoreSum  *prometheus.CounterVec
	agentScoreN    *prometheus.CounterVec
	stickyOffers   *prometheus.CounterVec
	complainers    *prometheus.CounterVec
	recordings     *prometheus.CounterVec
	recordingBytes prometheus.Counter
}

// Sticky-offer results, the values of hotline_sticky_offers_total's label.
var stickyResults = []string{"hit", "miss", "expired"}

// NewCare registers the care series on reg and pre-creates the series of
// queues so that dashboards see zeros rather than gaps.
func NewCare(reg prometheus.Registerer, queues []string) (*Care, error) {
	c := &Care{
		surveys: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_survey_responses_total",
			Help: "Post-call survey answers, by queue and score (1 very dissatisfied to 5 very satisfied).",
		}, []string{"queue", "score"}),
		agentScoreSum: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_agent_survey_score_sum",
			Help: "Sum of the survey scores of the calls each agent answered.",
		}, []string{"agent"}),
		agentScoreN: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_agent_survey_score_count",
			Help: "Survey answers on the calls each agent answered.",
		}, []string{"agent"}),
		stickyOffers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_sticky_offers_total",
			Help: "Returning callers with a preferred agent, by outcome (hit: offered to that agent; miss: agent not logged in; expired: grace ran out).",
		}, []string{"result"}),
		complainers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_repeat_complainers_total",
			Help: "Calls from repeat complainers sent to the senior queue, by the queue they asked for.",
		}, []string{"queue"}),
		recordings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_recordings_total",
			Help: "Call recordings saved, by queue.",
		}, []string{"queue"}),
		recordingBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_recording_bytes_total",
			Help: "Bytes of call recordings written.",
		}),
	}
	for _, r := range stickyResults {
		c.stickyOffers.WithLabelValues(r)
	}
	for _, q := range queues {
		for score := 1; score <= 5; score++ {
			c.surveys.WithLabelValues(q, strconv.Itoa(score))
		}
		c.recordings.WithLabelValues(q)
		c.complainers.WithLabelValues(q)
	}
	for _, col := range []prometheus.Collector{
		c.surveys, c.agentScoreSum, c.agentScoreN, c.stickyOffers, c.complainers, c.recordings, c.recordingBytes,
	} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("metrics: care series: %w", err)
		}
	}
	return c, nil
}

// HandleEvent counts survey answers and saved recordings from the event
// stream, so that a replay reproduces them.
func (c *Care) HandleEvent(e call.Event) {
	switch e.Kind {
	case call.SurveyAnswered:
		if e.Score < 1 || e.Score > 5 {
			return
		}
		c.surveys.WithLabelValues(e.Queue, strconv.Itoa(e.Score)).Inc()
		if e.Agent != "" {
			c.agentScoreSum.WithLabelValues(e.Agent).Add(float64(e.Score))
			c.agentScoreN.WithLabelValues(e.Agent).Inc()
		}
	case call.RecordingSaved:
		c.recordings.WithLabelValues(e.Queue).Inc()
	}
}

// StickyOffer counts one sticky-agent outcome: hit, miss or expired.
func (c *Care) StickyOffer(result string) { c.stickyOffers.WithLabelValues(result).Inc() }

// RepeatComplainer counts a call sent to the senior queue; queue is the
// one the caller asked for.
func (c *Care) RepeatComplainer(queue string) { c.complainers.WithLabelValues(queue).Inc() }

// RecordingBytes adds the size of a finished recording.
func (c *Care) RecordingBytes(n int64) {
	if n > 0 {
		c.recordingBytes.Add(float64(n))
	}
}
