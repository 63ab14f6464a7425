// Command soak keeps a fixed number of IVR calls up against a hotline
// server binary for a long time, with constant churn, and checks that the
// server's resources stay flat: RSS, goroutines, open files, RTP ports and
// active calls are sampled every interval, and once the load stops the
// server must be back to its idle figures. See bench/README.md.
//
// It only drives and samples a server binary from outside (SIPp, /metrics,
// /proc), like any peer would. It must not import the server's packages,
// and it is never part of the server binary.
//
//	soak -server bin/hotline [-calls 200] [-duration 30m] [-interval 10s]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hotline-oss/hotline/bench/internal/benchkit"
)

type options struct {
	benchkit.Setup
	Calls                             int
	Rate                              float64
	Duration, Interval, Warmup, Drain time.Duration
	Limits                            limits
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "soak:", err)
		return 2
	}
	if err := o.Prepare("hotline-soak-"); err != nil {
		fmt.Fprintln(stderr, "soak:", err)
		return 1
	}
	fmt.Fprintf(stdout, "soak: %d calls (20–40 s each, replaced as they end) for %s, sample every %s; logs in %s\n",
		o.Calls, o.Duration, o.Interval, o.WorkDir)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := soak(ctx, o, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "soak:", err)
		return 1
	}
	rep.write(stdout)
	if !rep.flat() {
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	o.Flags(fs, "bench/soak/churn.xml", "SIPp scenario (each call 20–40 s)")
	fs.IntVar(&o.Calls, "calls", 200, "concurrent calls")
	fs.Float64Var(&o.Rate, "rate", 20, "highest call setup rate, calls per second (ramp-up and refills)")
	fs.DurationVar(&o.Duration, "duration", 30*time.Minute, "how long the load runs, warm-up included")
	fs.DurationVar(&o.Interval, "interval", 10*time.Second, "sampling interval")
	fs.DurationVar(&o.Warmup, "warmup", time.Minute, "load before the start sample: ramp-up plus one full call length, so churn is steady")
	fs.DurationVar(&o.Drain, "drain", 90*time.Second, "longest wait for calls to end and resources to return after the load stops")
	fs.Float64Var(&o.Limits.RSSGrowth, "max-rss-growth", 0.25, "largest RSS growth from start to end, as a fraction")
	fs.Float64Var(&o.Limits.CountDrift, "max-drift", 0.15, "largest goroutine/open-file/port drift from start to end, as a fraction")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.Calls < 1:
		return o, fmt.Errorf("-calls %d: need at least 1", o.Calls)
	case o.Rate <= 0:
		return o, fmt.Errorf("-rate %g: must be positive", o.Rate)
	case o.Interval <= 0:
		return o, fmt.Errorf("-interval %s: must be positive", o.Interval)
	case o.Warmup < 0 || o.Duration < o.Warmup+2*o.Interval:
		return o, fmt.Errorf("-duration %s: must exceed -warmup %s by two intervals", o.Duration, o.Warmup)
	}
	return o, nil
}
