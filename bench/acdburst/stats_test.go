package acdburst

import (
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestSummarizeTakesNearestRankPercentiles(t *testing.T) {
	// 1..20 ms shuffled: p50 is the 10th sample, p95 the 19th.
	var samples []time.Duration
	for _, n := range []int{7, 20, 1, 13, 2, 19, 8, 3, 14, 9, 4, 15, 10, 5, 16, 11, 6, 17, 12, 18} {
		samples = append(samples, ms(n))
	}
	got := summarize(samples)
	want := latencySummary{Count: 20, P50: ms(10), P95: ms(19), Max: ms(20)}
	if got != want {
		t.Errorf("summarize = %+v, want %+v", got, want)
	}
	if samples[0] != ms(7) {
		t.Error("summarize reordered its input")
	}
}

func TestSummarizeSmallSets(t *testing.T) {
	if got := summarize(nil); got != (latencySummary{}) {
		t.Errorf("empty: %+v", got)
	}
	one := summarize([]time.Duration{ms(3)})
	if one.P50 != ms(3) || one.P95 != ms(3) || one.Max != ms(3) || one.Count != 1 {
		t.Errorf("one sample: %+v", one)
	}
	two := summarize([]time.Duration{ms(9), ms(1)})
	if two.P50 != ms(1) || two.P95 != ms(9) {
		t.Errorf("two samples: %+v, want p50 1ms (rank 1), p95 9ms (rank 2)", two)
	}
}

func TestCountWithinIncludesTheLimit(t *testing.T) {
	samples := []time.Duration{ms(1999), 2 * time.Second, ms(2001), 0}
	if got := countWithin(samples, 2*time.Second); got != 3 {
		t.Errorf("countWithin = %d, want 3", got)
	}
}

func TestLatencySummaryString(t *testing.T) {
	s := summarize([]time.Duration{1234567 * time.Nanosecond}).String()
	if s != "n=1 p50 1.2ms p95 1.2ms max 1.2ms" {
		t.Errorf("String = %q", s)
	}
	if s := (latencySummary{}).String(); s != "(none)" {
		t.Errorf("empty String = %q", s)
	}
}
