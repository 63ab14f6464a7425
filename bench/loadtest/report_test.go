package main

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/bench/internal/benchkit"
)

func TestMedianAndCounts(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median odd = %v", got)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median even = %v", got)
	}
	got, err := parseCounts("250, 500,1000")
	if err != nil || len(got) != 3 || got[2] != 1000 {
		t.Errorf("counts %v, %v", got, err)
	}
	if _, err := parseCounts("250,x"); err == nil {
		t.Error("bad count accepted")
	}
}

func TestWriteMedians(t *testing.T) {
	mk := func(kind string, calls int, cpu, p99 float64, failed int) result {
		return result{Kind: kind, Calls: calls, AllUp: true, P99ms: p99,
			Usage: usage{ServerCPU: cpu, SIPpThread: 95}, SIPp: benchkit.Outcome{Failed: failed}}
	}
	var buf bytes.Buffer
	writeMedians(&buf, []result{
		mk("setup", 2000, 10, 1, 0),
		mk("hold", 1000, 50, 3, 0), mk("hold", 1000, 70, 5, 1), mk("hold", 1000, 60, 4, 0),
		mk("hold", 250, 20, 1, 0),
	})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	if !strings.HasPrefix(lines[2], "| hold 250 calls") || !strings.HasPrefix(lines[4], "| setup 2000 calls") {
		t.Errorf("order:\n%s", buf.String())
	}
	want := "| hold 1000 calls | 3 (1 with failures) | 60 | 0 | 4.00 | 0 / 0 | 0 (95) | 3 of 3 |"
	if !strings.HasPrefix(lines[3], want) {
		t.Errorf("row\n%s\nwant prefix\n%s", lines[3], want)
	}
	if math.IsNaN(median(nil)) {
		t.Error("median of nothing should be 0")
	}
}
