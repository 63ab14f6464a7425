package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/call"
)

func TestCareSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	c, err := NewCare(reg, []string{"general"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []int{5, 4, 4, 2, 0, 7} {
		c.HandleEvent(call.Event{Kind: call.SurveyAnswered, Queue: "general", Agent: "1001", Score: s})
	}
	c.HandleEvent(call.Event{Kind: call.RecordingSaved, Queue: "general"})
	c.RecordingBytes(1000)
	c.RecordingBytes(-1)
	c.StickyOffer("hit")
	c.StickyOffer("expired")
	c.RepeatComplainer("general")

	checks := []struct {
		got  prometheus.Collector
		want float64
	}{
		{c.surveys.WithLabelValues("general", "4"), 2},
		{c.surveys.WithLabelValues("general", "1"), 0},
		{c.agentScoreSum.WithLabelValues("1001"), 15},
		{c.agentScoreN.WithLabelValues("1001"), 4},
		{c.recordings.WithLabelValues("general"), 1},
		{c.recordingBytes, 1000},
		{c.stickyOffers.WithLabelValues("hit"), 1},
		{c.stickyOffers.WithLabelValues("miss"), 0},
		{c.complainers.WithLabelValues("general"), 1},
	}
	for i, ch := range checks {
		if got := testutil.ToFloat64(ch.got); got != ch.want {
			t.Errorf("check %d: %v, want %v", i, got, ch.want)
		}
	}
	if _, err := NewCare(reg, nil); err == nil {
		t.Error("registering twice should fail")
	}
}
