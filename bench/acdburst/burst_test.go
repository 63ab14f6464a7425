package acdburst

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testphone"
)

var callersPerPhone = flag.Int("acdburst.callers-per-phone", 1,
	"calls each caller phone places during the burst (1: one phone per caller)")

// burstPlan is one burst: how many agents wait, how many calls arrive and
// over how long, and how many calls share a caller phone.
type burstPlan struct {
	Agents          int
	Calls           int
	Over            time.Duration
	CallersPerPhone int
	// Settle bounds the wait for the calls that can be served to be
	// served; the measure itself never depends on it.
	Settle time.Duration
}

// placement is one caller's call as the caller saw it.
type placement struct {
	sent     time.Time // just before the INVITE left
	returned time.Time // final response (200 OK) or error
	callID   string
	call     *testphone.Call
	err      error
}

// burstRun is everything one burst produced, before it is summarised.
type burstRun struct {
	placed []placement
	// window runs from the first INVITE until every call has its final
	// response and is queued or over, and every call an agent can take is
	// connected (or Settle ran out).
	window time.Duration
	cpu    time.Duration // process CPU used in window
	// machineCores is how many cores the whole machine kept busy in window.
	machineCores float64
	peakGo       int            // most goroutines seen in window
	baselineG    int            // goroutines with the agents idle, before the burst
	split        goroutineSplit // phones' and server's goroutines at the end of window
}

// runBurst sets up a server and plan.Agents agents, fires the burst, waits
// for it to settle, reads the outcome, and tears everything down. The
// outcome is complete even when the server falls short: shortfalls are
// results, not errors.
func runBurst(tb testing.TB, plan burstPlan) burstOutcome {
	tb.Helper()
	r := startRig(tb)
	run := &burstRun{}
	defer func() { r.close(run.placed) }()

	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := r.loginAgents(ctx, plan.Agents); err != nil {
		tb.Fatalf("agents: %v", err)
	}
	phones := (plan.Calls + plan.CallersPerPhone - 1) / plan.CallersPerPhone
	if err := r.openCallers(phones); err != nil {
		tb.Fatal(err)
	}
	runtime.GC() // start the window without the set-up's garbage
	run.baselineG = runtime.NumGoroutine()

	sampler := startGoroutineSampler()
	cpuBefore, cpuErr := processCPU()
	machineBefore, machineErr := readMachineTicks()
	start := time.Now()
	run.placed = placeBurst(r.callers, plan.Calls, plan.Over)
	servable := min(plan.Agents, plan.Calls-failedCount(run.placed))
	settle, cancelSettle := context.WithTimeout(context.Background(), plan.Settle)
	defer cancelSettle()
	ids := answeredIDs(run.placed)
	settled := func() bool { return r.rec.answeredCalls() >= servable && r.rec.unsettled(ids) == 0 }
	if err := r.rec.waitUntil(settle, "calls connected or queued", settled); err != nil {
		tb.Logf("%v: %d of %d connected, %d neither queued nor ended", err, r.rec.answeredCalls(), servable, r.rec.unsettled(ids))
	}
	run.window = time.Since(start)
	cpuAfter, cpuErr2 := processCPU()
	machineAfter, machineErr2 := readMachineTicks()
	run.peakGo = sampler.stop()
	if err := errors.Join(cpuErr, cpuErr2); err != nil {
		tb.Log(err)
	} else {
		run.cpu = cpuAfter - cpuBefore
	}
	if err := errors.Join(machineErr, machineErr2); err != nil {
		tb.Log(err)
	} else {
		run.machineCores = busyCores(machineBefore, machineAfter, runtime.NumCPU())
	}
	run.split = splitGoroutines()
	// Read the outcome now: hanging up at teardown ends every call.
	return analyse(run, r.rec)
}

// placeBurst places n calls spread evenly over `over`, round-robin over
// phones, and returns once every call has its final response.
func placeBurst(phones []*testphone.Phone, n int, over time.Duration) []placement {
	placed := make([]placement, n)
	ctx, cancel := context.WithTimeout(context.Background(), over+30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		// Pacing the arrivals, not waiting for anything: a late wake-up
		// only sends the next calls at once.
		time.Sleep(time.Until(start.Add(over * time.Duration(i) / time.Duration(n))))
		wg.Go(func() {
			p := &placed[i]
			p.sent = time.Now()
			p.call, p.err = phones[i%len(phones)].Call(ctx, burstNumber)
			p.returned = time.Now()
			if p.call != nil {
				p.callID = p.call.CallID()
			}
		})
	}
	wg.Wait()
	return placed
}

func answeredIDs(placed []placement) []string {
	var ids []string
	for _, p := range placed {
		if p.call != nil {
			ids = append(ids, p.callID)
		}
	}
	return ids
}

func failedCount(placed []placement) int {
	n := 0
	for _, p := range placed {
		if p.err != nil {
			n++
		}
	}
	return n
}

// goroutineSampler keeps the highest goroutine count seen until stopped.
type goroutineSampler struct {
	done chan struct{}
	peak chan int
}

func startGoroutineSampler() *goroutineSampler {
	s := &goroutineSampler{done: make(chan struct{}), peak: make(chan int, 1)}
	go func() {
		peak := runtime.NumGoroutine()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				peak = max(peak, runtime.NumGoroutine())
			case <-s.done:
				s.peak <- max(peak, runtime.NumGoroutine())
				return
			}
		}
	}()
	return s
}

func (s *goroutineSampler) stop() int {
	close(s.done)
	return <-s.peak
}

// statusOf names the outcome of a failed call for the log.
func statusOf(err error) string {
	var se *testphone.StatusError
	if errors.As(err, &se) {
		return fmt.Sprintf("sip %d", se.Code)
	}
	return err.Error()
}
