package benchkit

import (
	"errors"
	"math"
	"strings"
	"testing"
)

const exposition = `# HELP hotline_calls_total Calls that reached the server, by how they ended.
# TYPE hotline_calls_total counter
hotline_calls_total{result="failed"} 2
hotline_calls_total{result="self_service"} 5
hotline_active_calls{stage="ivr"} 7
hotline_active_calls{stage="queue"} 3
odd_label{path="a \"quoted\" \\ value",x="y"} 1 1700000000000
hotline_rtp_send_lateness_seconds_bucket{le="0.001"} 90
hotline_rtp_send_lateness_seconds_bucket{le="0.002"} 98
hotline_rtp_send_lateness_seconds_bucket{le="0.005"} 100
hotline_rtp_send_lateness_seconds_bucket{le="+Inf"} 100
hotline_rtp_send_lateness_seconds_sum 0.05
hotline_rtp_send_lateness_seconds_count 100
go_goroutines 12
`

func TestParseMetrics(t *testing.T) {
	m, err := ParseMetrics(strings.NewReader(exposition))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Sum("hotline_calls_total", "result", "failed"); got != 2 {
		t.Errorf("failed = %v, want 2", got)
	}
	if got := m.Sum("hotline_calls_total"); got != 7 {
		t.Errorf("all calls = %v, want 7", got)
	}
	if got := m.Sum("hotline_active_calls"); got != 10 {
		t.Errorf("active = %v, want 10", got)
	}
	if got := m.Sum("go_goroutines"); got != 12 {
		t.Errorf("unlabelled series = %v, want 12", got)
	}
	if got := m.Sum("odd_label", "path", `a "quoted" \ value`, "x", "y"); got != 1 {
		t.Errorf("escaped label value not matched: %v", got)
	}
}

func TestParseMetricsRejectsGarbage(t *testing.T) {
	for _, bad := range []string{"name_only", `x{a="b"} notanumber`, `x{a="unterminated} 1`, `x{=} 1`} {
		if _, err := ParseMetrics(strings.NewReader(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestHistogramQuantile(t *testing.T) {
	m, err := ParseMetrics(strings.NewReader(exposition))
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Histogram("hotline_rtp_send_lateness_seconds")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		q, want float64
	}{
		{0.5, 0.001 * 50 / 90},        // inside the first bucket, from 0
		{0.9, 0.001},                  // exactly at a bound
		{0.94, 0.001 + 0.001*(4.0/8)}, // halfway through (1ms, 2ms]
		{0.99, 0.002 + 0.003*(1.0/2)}, // halfway through (2ms, 5ms]
		{1.0, 0.005},                  // the top of the last finite bucket
	}
	for _, c := range cases {
		if got := h.Quantile(c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("q%.2f = %v, want %v", c.q, got, c.want)
		}
	}
	if _, err := m.Histogram("missing"); !errors.Is(err, ErrNoHistogram) {
		t.Errorf("missing histogram: %v", err)
	}
}

func TestHistogramQuantileOverflowAndEmpty(t *testing.T) {
	h := Histogram{{0.001, 1}, {0.005, 2}, {math.Inf(1), 10}}
	if got := h.Quantile(0.99); got != 0.005 || !h.Overflows(0.99) {
		t.Errorf("rank in +Inf bucket: %v (overflow %t), want the highest finite bound 0.005, flagged", got, h.Overflows(0.99))
	}
	if h.Overflows(0.1) {
		t.Error("q0.1 lies in the first bucket, not beyond the last")
	}
	empty := Histogram{{0.001, 0}, {math.Inf(1), 0}}
	if got := empty.Quantile(0.99); !math.IsNaN(got) {
		t.Errorf("empty histogram: %v, want NaN", got)
	}
}

// The window between two scrapes: a burst of late packets that a whole-run
// histogram would dilute shows at the p99 of the difference.
func TestHistogramSince(t *testing.T) {
	before := Histogram{{0.001, 1000}, {0.01, 1000}, {math.Inf(1), 1000}}
	after := Histogram{{0.001, 1090}, {0.01, 1100}, {math.Inf(1), 1100}}
	window := after.Since(before)
	if window.Total() != 100 {
		t.Fatalf("window total %v, want 100", window.Total())
	}
	if got := after.Quantile(0.99); got > 0.001 {
		t.Errorf("whole run p99 %v, expected the early packets to hide the burst", got)
	}
	if got := window.Quantile(0.99); got < 0.009 {
		t.Errorf("window p99 %v, want near 10ms", got)
	}
}
