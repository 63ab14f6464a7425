package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hotline-oss/hotline/bench/internal/benchkit"
)

// saturatedThread is the per-thread CPU share above which SIPp counts as
// CPU-bound: its main loop and its RTP echo each run on one thread.
const saturatedThread = 90.0

// result is one benchmark run.
type result struct {
	Kind          string // "hold" or "setup"
	Calls         int    // concurrent calls (hold) or calls placed (setup)
	Rep           int
	AllUp         bool    // hold: every call was up at once
	Background    float64 // machine CPU just before the run, percent of one core
	Usage         usage
	P99ms         float64 // p99 send lateness, ms; -1 if unknown
	P99Overflow   bool    // the p99 is above the top bucket: P99ms is a lower limit
	Packets       int     // paced packets in the window
	SIPp          benchkit.Outcome
	ServerFailed  int
	ServerBlocked int
	ServerEnded   int
}

func (r result) sippSaturated() bool { return r.Usage.SIPpThread >= saturatedThread }

// line is the one-line summary printed after each run.
func (r result) line() string {
	u := r.Usage
	above := ""
	if r.P99Overflow {
		above = ">"
	}
	return fmt.Sprintf("%s N=%d rep=%d all_up=%t server_cpu=%.1f%% rss=%.1fMB p99_late=%s%.2fms packets=%d "+
		"sipp_failed=%d sipp_ok=%d sipp_exit=%d server_failed=%d server_blocked=%d server_ended=%d "+
		"sipp_cpu=%.1f%% sipp_busiest_thread=%.1f%% sipp_saturated=%t "+
		"machine_cpu=%.1f%% softirq=%.1f%% other_load=%.1f%% load_before=%.1f%%",
		r.Kind, r.Calls, r.Rep, r.AllUp, u.ServerCPU, u.ServerRSS, above, r.P99ms, r.Packets,
		r.SIPp.Failed, r.SIPp.Successful, r.SIPp.ExitCode, r.ServerFailed, r.ServerBlocked, r.ServerEnded,
		u.SIPpCPU, u.SIPpThread, r.sippSaturated(), u.MachineCPU, u.SoftIRQ, u.Others, r.Background)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// groupKey orders the summary: hold runs by N, then the setup run.
type groupKey struct {
	kind  string
	calls int
}

// writeMedians prints a Markdown table with the median of each figure
// over the repetitions of each run, and how many repetitions had SIPp
// saturated or any failed call.
func writeMedians(w io.Writer, results []result) {
	groups := map[groupKey][]result{}
	var keys []groupKey
	for _, r := range results {
		k := groupKey{r.Kind, r.Calls}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].kind != keys[j].kind {
			return keys[i].kind == "hold"
		}
		return keys[i].calls < keys[j].calls
	})
	fmt.Fprintln(w, "| run | runs | server CPU % | server RSS MB | p99 send lateness ms | failed calls (SIPp / server) | SIPp CPU % (busiest thread) | SIPp saturated | kernel softirq % | other load % |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, k := range keys {
		rs := groups[k]
		pick := func(f func(result) float64) float64 {
			xs := make([]float64, len(rs))
			for i, r := range rs {
				xs[i] = f(r)
			}
			return median(xs)
		}
		saturated, failing := 0, 0
		for _, r := range rs {
			if r.sippSaturated() {
				saturated++
			}
			if r.SIPp.Failed+r.ServerFailed+r.ServerBlocked > 0 || !r.AllUp {
				failing++
			}
		}
		name := fmt.Sprintf("hold %d calls", k.calls)
		if k.kind == "setup" {
			name = fmt.Sprintf("setup %d calls", k.calls)
		}
		fmt.Fprintf(w, "| %s | %d (%d with failures) | %.0f | %.0f | %.2f | %.0f / %.0f | %.0f (%.0f) | %d of %d | %.0f | %.0f |\n",
			name, len(rs), failing,
			pick(func(r result) float64 { return r.Usage.ServerCPU }),
			pick(func(r result) float64 { return r.Usage.ServerRSS }),
			pick(func(r result) float64 { return r.P99ms }),
			pick(func(r result) float64 { return float64(r.SIPp.Failed) }),
			pick(func(r result) float64 { return float64(r.ServerFailed + r.ServerBlocked) }),
			pick(func(r result) float64 { return r.Usage.SIPpCPU }),
			pick(func(r result) float64 { return r.Usage.SIPpThread }),
			saturated, len(rs),
			pick(func(r result) float64 { return r.Usage.SoftIRQ }),
			pick(func(r result) float64 { return r.Usage.Others }))
	}
}

// parseCounts reads a comma-separated list of call counts.
func parseCounts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		var n int
		if _, err := fmt.Sscanf(strings.TrimSpace(f), "%d", &n); err != nil || n <= 0 {
			return nil, fmt.Errorf("bad call count %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}
