package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hotline-oss/hotline/bench/internal/benchkit"
)

const (
	latenessHistogram = "hotline_rtp_send_lateness_seconds"
	callsCounter      = "hotline_calls_total"
	// settle is waited after the last call is up before measuring, so the
	// window holds steady state rather than the tail of the ramp.
	settle = 2 * time.Second
)

// options are the benchmark's settings, from the command line.
type options struct {
	benchkit.Setup
	RampRate   float64 // calls per second while filling up a hold run
	Hold       time.Duration
	SetupRate  float64
	SetupFor   time.Duration
	SetupHold  time.Duration
	QuietBelow float64 // percent of one core
	QuietWait  time.Duration
}

// runHold fills the server with n concurrent calls carrying RTP both ways
// (our prompts, SIPp's echo), measures for o.Hold, then lets SIPp hang
// every call up.
func runHold(ctx context.Context, o options, n, rep int) (result, error) {
	res := result{Kind: "hold", Calls: n, Rep: rep}
	res.Background = waitQuiet(ctx, o.QuietBelow, o.QuietWait)
	dir, err := os.MkdirTemp(o.WorkDir, fmt.Sprintf("hold-%d-%d-", n, rep))
	if err != nil {
		return res, err
	}
	srv, err := o.StartServer(ctx, dir)
	if err != nil {
		return res, err
	}
	defer srv.Stop()
	start, err := srv.Scrape(ctx)
	if err != nil {
		return res, err
	}
	ramp := time.Duration(float64(n) / o.RampRate * float64(time.Second))
	// Every call outlives the window: the last one starts at the end of the
	// ramp and the window closes settle+Hold later.
	callHold := ramp + 2*settle + o.Hold + 5*time.Second
	sipp, err := o.StartSIPp(dir, benchkit.Load{
		Rate: o.RampRate, Limit: n, Calls: n, Hold: callHold,
		Timeout: callHold + ramp + time.Minute,
	})
	if err != nil {
		return res, err
	}
	res.AllUp = waitActive(ctx, srv, n, ramp+20*time.Second)
	time.Sleep(settle) // let the last calls' first prompt packets flow
	before, err := srv.Scrape(ctx)
	if err != nil {
		return res, err
	}
	stop := make(chan struct{})
	time.AfterFunc(o.Hold, func() { close(stop) })
	res.Usage = measure(ctx, srv.PID(), sipp.PID(), time.Second, stop)
	after, err := srv.Scrape(ctx)
	if err != nil {
		return res, err
	}
	res.P99ms, res.P99Overflow, res.Packets = latenessP99(before, after)

	waitCtx, cancel := context.WithTimeout(ctx, callHold+ramp+2*time.Minute)
	defer cancel()
	out, err := sipp.Wait(waitCtx)
	res.SIPp = out
	if err != nil {
		return res, fmt.Errorf("%w (logs in %s)", err, dir)
	}
	return res, finishServerCounts(ctx, srv, start, &res)
}

// runSetup places calls at o.SetupRate per second for o.SetupFor, each
// held o.SetupHold, and measures over the whole run.
func runSetup(ctx context.Context, o options, rep int) (result, error) {
	calls := int(o.SetupRate * o.SetupFor.Seconds())
	res := result{Kind: "setup", Calls: calls, Rep: rep}
	res.Background = waitQuiet(ctx, o.QuietBelow, o.QuietWait)
	dir, err := os.MkdirTemp(o.WorkDir, fmt.Sprintf("setup-%d-", rep))
	if err != nil {
		return res, err
	}
	srv, err := o.StartServer(ctx, dir)
	if err != nil {
		return res, err
	}
	defer srv.Stop()
	start, err := srv.Scrape(ctx)
	if err != nil {
		return res, err
	}
	sipp, err := o.StartSIPp(dir, benchkit.Load{
		Rate: o.SetupRate, Limit: calls, Calls: calls, Hold: o.SetupHold,
		Timeout: o.SetupFor + o.SetupHold + time.Minute,
	})
	if err != nil {
		return res, err
	}
	stop := make(chan struct{})
	type waited struct {
		out benchkit.Outcome
		err error
	}
	done := make(chan waited, 1)
	go func() {
		waitCtx, cancel := context.WithTimeout(ctx, o.SetupFor+o.SetupHold+2*time.Minute)
		defer cancel()
		out, err := sipp.Wait(waitCtx)
		close(stop)
		done <- waited{out, err}
	}()
	res.Usage = measure(ctx, srv.PID(), sipp.PID(), time.Second, stop)
	w := <-done
	res.SIPp, res.AllUp = w.out, true
	if w.err != nil {
		return res, fmt.Errorf("%w (logs in %s)", w.err, dir)
	}
	after, err := srv.Scrape(ctx)
	if err != nil {
		return res, err
	}
	res.P99ms, res.P99Overflow, res.Packets = latenessP99(start, after)
	return res, finishServerCounts(ctx, srv, start, &res)
}

// finishServerCounts waits for the server to settle every call, then
// records how many it counted as failed or blocked since start.
func finishServerCounts(ctx context.Context, srv *benchkit.Server, start benchkit.Metrics, res *result) error {
	waitActive(ctx, srv, 0, 30*time.Second)
	end, err := srv.Scrape(ctx)
	if err != nil {
		return err
	}
	res.ServerFailed = int(end.Sum(callsCounter, "result", "failed") - start.Sum(callsCounter, "result", "failed"))
	res.ServerBlocked = int(end.Sum(callsCounter, "result", "blocked") - start.Sum(callsCounter, "result", "blocked"))
	res.ServerEnded = int(end.Sum(callsCounter) - start.Sum(callsCounter))
	return nil
}

// latenessP99 is the p99 send lateness in ms of the packets paced between
// two scrapes, whether it lies beyond the highest bucket (then the value
// is that bound, a lower limit), and how many packets there were.
func latenessP99(before, after benchkit.Metrics) (ms float64, overflow bool, packets int) {
	b, errB := before.Histogram(latenessHistogram)
	a, errA := after.Histogram(latenessHistogram)
	if errA != nil || errB != nil {
		return -1, false, 0
	}
	window := a.Since(b)
	return 1000 * window.Quantile(0.99), window.Overflows(0.99), int(window.Total())
}

// waitActive polls the server until exactly want calls are in progress,
// or for at most limit; it reports whether the count was reached.
func waitActive(ctx context.Context, srv *benchkit.Server, want int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		// hotline_active_calls has one series per stage.
		if m, err := srv.Scrape(ctx); err == nil && int(m.Sum("hotline_active_calls")) == want {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(250 * time.Millisecond):
		}
	}
	return false
}
