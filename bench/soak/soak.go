package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/hotline-oss/hotline/bench/internal/benchkit"
)

// limits are how far the figures may move between the start and end
// samples and still count as flat.
type limits struct {
	RSSGrowth  float64 // fraction of the start RSS
	CountDrift float64 // fraction of the start value, goroutines/files/ports
}

// countSlack is an absolute allowance on top of CountDrift: with calls
// starting and ending all the time, a sample catches a few calls in set-up
// or tear-down, each holding a goroutine or socket more or less.
const countSlack = 10

// idleSlack is how many goroutines or open files above the idle figure
// the server may keep after the load (HTTP keep-alive connections of the
// sampler, a timer goroutine).
const idleSlack = 5

type report struct {
	limits         limits
	warmup         time.Duration
	idle           sample
	samples        []sample
	drained        sample
	drainedIn      time.Duration
	sipp           benchkit.Outcome
	sippErr        error
	interrupted    bool
	serverFinished bool
}

// soak runs the whole thing: server, idle sample, load with periodic
// samples, stop, drain, final sample.
func soak(ctx context.Context, o options, stdout io.Writer) (*report, error) {
	srv, err := o.StartServer(ctx, o.WorkDir)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	rep := &report{limits: o.Limits, warmup: o.Warmup}
	if rep.idle, err = takeSample(ctx, srv, 0); err != nil {
		return nil, err
	}
	// No call count: SIPp starts a new call whenever one ends, at most
	// o.Calls at once, until Finish; the scenario sets each call's length.
	load, err := o.StartSIPp(o.WorkDir, benchkit.Load{Rate: o.Rate, Limit: o.Calls, StatEvery: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	// Every sample also goes to a CSV, for plotting.
	csv, err := os.Create(filepath.Join(o.WorkDir, "samples.csv"))
	if err == nil {
		defer csv.Close()
		fmt.Fprintln(csv, "seconds,rss_kb,goroutines,open_files,rtp_ports,active_calls,calls_ended,calls_failed")
	} else {
		fmt.Fprintln(stdout, "soak: no samples.csv:", err)
	}
	start := time.Now()
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	for running := true; running; {
		select {
		case <-ctx.Done():
			rep.interrupted, running = true, false
			continue
		case <-srv.Done():
			rep.serverFinished, running = true, false
			continue
		case <-load.Done():
			return nil, fmt.Errorf("sipp exited early (%v); see %s", load.ExitErr(), o.WorkDir)
		case <-tick.C:
		}
		sm, err := takeSample(ctx, srv, time.Since(start))
		if err != nil {
			fmt.Fprintln(stdout, "soak:", err)
			continue
		}
		rep.samples = append(rep.samples, sm)
		fmt.Fprintln(stdout, sm.line())
		if csv != nil {
			fmt.Fprintf(csv, "%d,%d,%d,%d,%d,%d,%d,%d\n", int(sm.At.Seconds()), sm.RSSKB, sm.Goroutines, sm.OpenFiles, sm.Ports, sm.Calls, sm.Ended, sm.Failed)
		}
		running = sm.At < o.Duration
	}
	rep.sipp, rep.sippErr = load.Finish(time.Minute)
	// Even after an interrupt the drain is measured: it is what tells a
	// leak, and it is bounded by o.Drain.
	rep.drained, rep.drainedIn = waitDrained(context.WithoutCancel(ctx), srv, rep.idle, start, o.Drain)
	return rep, nil
}

// waitDrained polls until no call, port or extra goroutine is left, or
// until limit, and returns the last sample.
func waitDrained(ctx context.Context, srv *benchkit.Server, idle sample, start time.Time, limit time.Duration) (sample, time.Duration) {
	stopped := time.Now()
	var last sample
	for {
		sm, err := takeSample(ctx, srv, time.Since(start))
		if err == nil {
			last = sm
			if sm.Calls == 0 && sm.Ports == 0 && sm.Goroutines <= idle.Goroutines+idleSlack {
				return sm, time.Since(stopped)
			}
		}
		if time.Since(stopped) > limit || ctx.Err() != nil {
			return last, time.Since(stopped)
		}
		time.Sleep(time.Second)
	}
}

func (s sample) line() string {
	return fmt.Sprintf("%8s  rss %6.1f MB  goroutines %5d  files %5d  ports %4d  calls %4d  ended %6d  failed %d",
		s.At.Truncate(time.Second), float64(s.RSSKB)/1024, s.Goroutines, s.OpenFiles, s.Ports, s.Calls, s.Ended, s.Failed)
}

// points returns the start (first sample after the warm-up), middle and
// end samples; ok is false without enough samples.
func (r *report) points() (start, middle, end sample, ok bool) {
	first := -1
	for i, s := range r.samples {
		if s.At >= r.warmup {
			first = i
			break
		}
	}
	if first < 0 || first == len(r.samples)-1 {
		return start, middle, end, false
	}
	start, end = r.samples[first], r.samples[len(r.samples)-1]
	mid := (start.At + end.At) / 2
	middle = start
	for _, s := range r.samples[first:] {
		if absDuration(s.At-mid) < absDuration(middle.At-mid) {
			middle = s
		}
	}
	return start, middle, end, true
}

// checks lists each flatness condition with whether it held.
func (r *report) checks() []check {
	start, _, end, ok := r.points()
	if !ok {
		return []check{{"enough samples after the warm-up", false}}
	}
	within := func(a, b int) bool {
		return math.Abs(float64(b-a)) <= r.limits.CountDrift*float64(a)+countSlack
	}
	return []check{
		{fmt.Sprintf("RSS peak of the last third at most %.0f%% above the first third's", 100*r.limits.RSSGrowth), r.rssFlat()},
		{fmt.Sprintf("goroutines within %.0f%% + %d", 100*r.limits.CountDrift, countSlack), within(start.Goroutines, end.Goroutines)},
		{fmt.Sprintf("open files within %.0f%% + %d", 100*r.limits.CountDrift, countSlack), within(start.OpenFiles, end.OpenFiles)},
		{fmt.Sprintf("RTP ports within %.0f%% + %d", 100*r.limits.CountDrift, countSlack), within(start.Ports, end.Ports)},
		{"after the load: no call and no RTP port left", r.drained.Calls == 0 && r.drained.Ports == 0},
		{fmt.Sprintf("after the load: goroutines back to idle + %d", idleSlack), r.drained.Goroutines <= r.idle.Goroutines+idleSlack},
		{fmt.Sprintf("after the load: open files back to idle + %d", idleSlack), r.drained.OpenFiles <= r.idle.OpenFiles+idleSlack},
		{"server kept running", !r.serverFinished},
		{"run not interrupted", !r.interrupted},
	}
}

// rssPeaks is the highest RSS in the first and in the last third of the
// samples after the warm-up. RSS saws up and down by 10–20 % as the
// garbage collector and the scavenger work, so single samples would judge
// the phase of that sawtooth, not growth; peaks over minutes do not.
func (r *report) rssPeaks() (first, last int64, ok bool) {
	var window []sample
	for _, s := range r.samples {
		if s.At >= r.warmup {
			window = append(window, s)
		}
	}
	if len(window) < 3 {
		return 0, 0, false
	}
	third := len(window) / 3
	for _, s := range window[:third] {
		first = max(first, s.RSSKB)
	}
	for _, s := range window[len(window)-third:] {
		last = max(last, s.RSSKB)
	}
	return first, last, true
}

func (r *report) rssFlat() bool {
	first, last, ok := r.rssPeaks()
	return ok && float64(last) <= float64(first)*(1+r.limits.RSSGrowth)
}

type check struct {
	what string
	ok   bool
}

// flat is the verdict: every check held.
func (r *report) flat() bool {
	for _, c := range r.checks() {
		if !c.ok {
			return false
		}
	}
	return true
}

func (r *report) write(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| point | time | RSS MB | goroutines | open files | RTP ports | active calls | calls ended | failed |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	row := func(name string, s sample) {
		fmt.Fprintf(w, "| %s | %s | %.1f | %d | %d | %d | %d | %d | %d |\n", name, s.At.Truncate(time.Second),
			float64(s.RSSKB)/1024, s.Goroutines, s.OpenFiles, s.Ports, s.Calls, s.Ended, s.Failed)
	}
	row("idle (before)", r.idle)
	if start, middle, end, ok := r.points(); ok {
		row("start", start)
		row("middle", middle)
		row("end", end)
	}
	row(fmt.Sprintf("drained (+%s)", r.drainedIn.Truncate(time.Second)), r.drained)
	if first, last, ok := r.rssPeaks(); ok {
		fmt.Fprintf(w, "\nRSS peak: first third %.1f MB, last third %.1f MB\n", float64(first)/1024, float64(last)/1024)
	}
	fmt.Fprintln(w)
	if r.sippErr != nil {
		fmt.Fprintln(w, "SIPp calls: unknown:", r.sippErr)
	} else {
		fmt.Fprintf(w, "SIPp calls: %d successful, %d failed\n", r.sipp.Successful, r.sipp.Failed)
	}
	for _, c := range r.checks() {
		mark := "ok  "
		if !c.ok {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s %s\n", mark, c.what)
	}
	verdict := "flat"
	if !r.flat() {
		verdict = "NOT flat"
	}
	fmt.Fprintln(w, "verdict:", verdict)
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
