// Command soak keeps a fixed number of IVR calls up against a hotline
// server binary for a long time, with constant churn, and checks that the
// server's resources stay flat: RSS, goroutines, open files, RTP ports and
// active calls are sampled every interval, and once the load stops the
// server must be back to its idle figures. See bench/README.md.
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
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	ServerBin, Config, SIPpBin, Scenario string
	SIPAddr, HTTPAddr, Number, WorkDir   string
	Calls                                int
	Rate                                 float64
	Duration, Interval, Warmup, Drain    time.Duration
	Limits                               limits
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
	if err := prepare(&o); err != nil {
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
	fs.StringVar(&o.ServerBin, "server", "bin/hotline", "hotline binary")
	fs.StringVar(&o.Config, "config", "bench/hotline-bench.yaml", "server configuration")
	fs.StringVar(&o.SIPpBin, "sipp", "sipp", "SIPp binary")
	fs.StringVar(&o.Scenario, "scenario", "bench/soak/churn.xml", "SIPp scenario (each call 20–40 s)")
	fs.StringVar(&o.SIPAddr, "sip", "127.0.0.1:5080", "server SIP address")
	fs.StringVar(&o.HTTPAddr, "http", "127.0.0.1:8088", "server HTTP address")
	fs.StringVar(&o.Number, "number", "95598", "dialled number")
	fs.StringVar(&o.WorkDir, "work", "", "directory for logs (default: a new temporary directory)")
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

// prepare checks the tools and files exist and creates the work directory.
func prepare(o *options) error {
	if _, err := exec.LookPath(o.SIPpBin); err != nil {
		return fmt.Errorf("sipp not found (apt-get install -y sip-tester): %w", err)
	}
	for _, f := range []string{o.ServerBin, o.Config, o.Scenario} {
		if _, err := os.Stat(f); err != nil {
			return err
		}
	}
	if o.WorkDir == "" {
		dir, err := os.MkdirTemp("", "hotline-soak-")
		if err != nil {
			return err
		}
		o.WorkDir = dir
	}
	return os.MkdirAll(o.WorkDir, 0o755)
}
