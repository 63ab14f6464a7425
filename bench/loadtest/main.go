// Command loadtest drives a hotline server binary with SIPp and reports
// what the server used: CPU, memory, RTP send lateness and failed calls.
// See bench/README.md; bench/run.sh builds everything and runs it.
//
// It only drives and measures a server binary from outside, over SIP and
// /metrics, like any peer would. It must not import the server's packages
// or change what it measures (no timed pass/fail: targets and figures live
// in bench/README.md), and it is never part of the server binary.
//
//	loadtest -server bin/hotline -config bench/hotline-bench.yaml \
//	    -scenario bench/sipp/hold.xml [-calls 250,500,1000] [-reps 3] [-hold 25s]
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
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	o.Flags(fs, "bench/sipp/hold.xml", "SIPp scenario")
	fs.Float64Var(&o.RampRate, "ramp-rate", 100, "calls per second while filling up a hold run")
	fs.DurationVar(&o.Hold, "hold", 25*time.Second, "measurement window once all calls are up")
	fs.Float64Var(&o.SetupRate, "setup-rate", 200, "calls per second in the call-setup run (0 skips it)")
	fs.DurationVar(&o.SetupFor, "setup-for", 10*time.Second, "how long the call-setup run places calls")
	fs.DurationVar(&o.SetupHold, "setup-hold", time.Second, "how long each call of the call-setup run lasts")
	fs.Float64Var(&o.QuietBelow, "quiet-below", 30, "before each run, wait until the machine uses less CPU than this (percent of one core)")
	fs.DurationVar(&o.QuietWait, "quiet-wait", 3*time.Minute, "longest wait for a quiet machine before running anyway")
	callsFlag := fs.String("calls", "250,500,1000", "concurrent calls of the hold runs (empty skips them)")
	reps := fs.Int("reps", 3, "repetitions of each run")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var counts []int
	if *callsFlag != "" {
		var err error
		if counts, err = parseCounts(*callsFlag); err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 2
		}
	}
	if err := o.Prepare("hotline-loadtest-"); err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	fmt.Fprintf(stdout, "loadtest: logs in %s\n", o.WorkDir)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	results, failed := runAll(ctx, o, counts, *reps, stdout, stderr)
	fmt.Fprintln(stdout)
	writeMedians(stdout, results)
	if failed || ctx.Err() != nil {
		return 1
	}
	return 0
}

// runAll runs every hold run and then the call-setup run, reps times
// each, printing one line per run. A run that errors is reported and the
// others go on.
func runAll(ctx context.Context, o options, counts []int, reps int, stdout, stderr io.Writer) ([]result, bool) {
	var results []result
	failed := false
	record := func(r result, err error) {
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: %s N=%d rep=%d: %v\n", r.Kind, r.Calls, r.Rep, err)
			failed = true
			return
		}
		fmt.Fprintln(stdout, r.line())
		results = append(results, r)
	}
	for _, n := range counts {
		for rep := 1; rep <= reps && ctx.Err() == nil; rep++ {
			record(runHold(ctx, o, n, rep))
		}
	}
	if o.SetupRate > 0 {
		for rep := 1; rep <= reps && ctx.Err() == nil; rep++ {
			record(runSetup(ctx, o, rep))
		}
	}
	return results, failed
}
