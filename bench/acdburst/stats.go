package acdburst

import (
	"fmt"
	"slices"
	"time"
)

// latencySummary condenses one set of measured delays.
type latencySummary struct {
	Count int
	P50   time.Duration
	P95   time.Duration
	Max   time.Duration
}

// summarize sorts a copy of samples and takes nearest-rank percentiles, so
// every figure reported is a delay that was actually measured.
func summarize(samples []time.Duration) latencySummary {
	if len(samples) == 0 {
		return latencySummary{}
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	return latencySummary{
		Count: len(sorted),
		P50:   nearestRank(sorted, 50),
		P95:   nearestRank(sorted, 95),
		Max:   sorted[len(sorted)-1],
	}
}

// nearestRank is the smallest sample with at least pct percent of the
// samples at or below it; sorted must be ascending and not empty.
func nearestRank(sorted []time.Duration, pct int) time.Duration {
	rank := (pct*len(sorted) + 99) / 100 // ceil(pct/100 * n)
	rank = max(rank, 1)
	return sorted[rank-1]
}

// countWithin is how many samples are at most limit.
func countWithin(samples []time.Duration, limit time.Duration) int {
	n := 0
	for _, d := range samples {
		if d <= limit {
			n++
		}
	}
	return n
}

// millis turns a duration into fractional milliseconds for ReportMetric.
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (s latencySummary) String() string {
	if s.Count == 0 {
		return "(none)"
	}
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	return fmt.Sprintf("n=%d p50 %v p95 %v max %v", s.Count, r(s.P50), r(s.P95), r(s.Max))
}
