package acdburst

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// connectTarget is the target: a call that can be served (an
// agent is free) is connected within this long of its arrival.
const connectTarget = 2 * time.Second

// burstOutcome is what one burst showed, read before teardown.
type burstOutcome struct {
	Placed   int
	Answered int // the caller got 200 OK (the queue answers at once)
	// Failed counts calls with a non-2xx final response or no response,
	// plus answered calls the server ended during the burst.
	Failed   int
	failures map[string]int // why, for the log

	Connected       latencySummary // CallArrived → AgentAnswered
	ConnectedWithin int            // of them, within connectTarget
	FromInvite      latencySummary // INVITE sent by the phone → AgentAnswered
	AnswerDelay     latencySummary // INVITE sent → 200 OK at the phone, every answered call
	// Where a connected call's time went.
	ToQueue, ToOffer, ToAnswer latencySummary
	Waiting                    int // queued, not connected, not ended: held in the queue
	Untraced                   int // answered calls the bus never reported

	Window     time.Duration
	CPUPercent float64 // process CPU (server and phones) in Window, % of one core
	// OtherCPUPercent is the rest of the machine's busy time in Window
	// (other processes, and loopback packet work the kernel charges to
	// nobody): figures taken with much of it are pessimistic.
	OtherCPUPercent    float64
	PeakGoroutines     int
	BaselineGoroutines int
	EndGoroutines      goroutineSplit // at the end of Window, all calls up
}

func analyse(run *burstRun, rec *recorder) burstOutcome {
	out := burstOutcome{
		Placed: len(run.placed), failures: make(map[string]int), Window: run.window,
		PeakGoroutines: run.peakGo, BaselineGoroutines: run.baselineG, EndGoroutines: run.split,
	}
	if run.window > 0 {
		out.CPUPercent = 100 * run.cpu.Seconds() / run.window.Seconds()
		out.OtherCPUPercent = max(0, 100*run.machineCores-out.CPUPercent)
	}
	var connect, fromInvite, answer, toQueue, toOffer, toAnswer []time.Duration
	for _, p := range run.placed {
		if p.err != nil {
			out.Failed++
			out.failures[statusOf(p.err)]++
			continue
		}
		out.Answered++
		answer = append(answer, p.returned.Sub(p.sent))
		t, ok := rec.trace(p.callID)
		switch {
		case !ok || t.Arrived.IsZero():
			out.Untraced++
		case !t.Answered.IsZero():
			d, _ := t.connectTime()
			connect = append(connect, d)
			fromInvite = append(fromInvite, t.Answered.Sub(p.sent))
			toQueue = append(toQueue, t.Queued.Sub(t.Arrived))
			toOffer = append(toOffer, t.Offered.Sub(t.Queued))
			toAnswer = append(toAnswer, t.Answered.Sub(t.Offered))
		case !t.Ended.IsZero():
			out.Failed++
			out.failures[fmt.Sprintf("ended %s/%s", t.Result, t.Reason)]++
		case t.waiting():
			out.Waiting++
		}
	}
	out.Connected = summarize(connect)
	out.ConnectedWithin = countWithin(connect, connectTarget)
	out.FromInvite = summarize(fromInvite)
	out.AnswerDelay = summarize(answer)
	out.ToQueue, out.ToOffer, out.ToAnswer = summarize(toQueue), summarize(toOffer), summarize(toAnswer)
	return out
}

// report hands the figures to the benchmark framework; the wall time of
// the whole set-up is meaningless, so ns/op is dropped.
func (o burstOutcome) report(b *testing.B) {
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(o.Connected.Count), "connected")
	b.ReportMetric(float64(o.ConnectedWithin), "connected-within-2s")
	b.ReportMetric(millis(o.Connected.P50), "connect-p50-ms")
	b.ReportMetric(millis(o.Connected.P95), "connect-p95-ms")
	b.ReportMetric(millis(o.Connected.Max), "connect-max-ms")
	b.ReportMetric(float64(o.Waiting), "queued")
	b.ReportMetric(float64(o.Failed), "failed")
	b.ReportMetric(o.CPUPercent, "cpu-%")
	b.ReportMetric(o.OtherCPUPercent, "other-cpu-%")
	b.ReportMetric(float64(o.PeakGoroutines), "goroutines")
	b.ReportMetric(float64(o.EndGoroutines.Server()), "server-goroutines")
}

// String is the human summary logged with every run.
func (o burstOutcome) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "placed %d: 200 OK %d, failed %d %v, untraced %d\n", o.Placed, o.Answered, o.Failed, o.failureList(), o.Untraced)
	fmt.Fprintf(&sb, "connected %d (%d within %v), still queued %d\n", o.Connected.Count, o.ConnectedWithin, connectTarget, o.Waiting)
	fmt.Fprintf(&sb, "arrival→agent answered %s\n", o.Connected)
	fmt.Fprintf(&sb, "INVITE sent→agent answered %s\n", o.FromInvite)
	fmt.Fprintf(&sb, "INVITE sent→200 OK (all answered calls) %s\n", o.AnswerDelay)
	fmt.Fprintf(&sb, "  p95 by step: arrival→queued %v, queued→agent rung %v, rung→answered %v\n",
		roundMs(o.ToQueue.P95), roundMs(o.ToOffer.P95), roundMs(o.ToAnswer.P95))
	fmt.Fprintf(&sb, "window %v: process CPU %.0f%% of one core, rest of the machine %.0f%%\n",
		o.Window.Round(time.Millisecond), o.CPUPercent, o.OtherCPUPercent)
	fmt.Fprintf(&sb, "goroutines %d at peak, %d before the burst; at the end %d server, %d phones",
		o.PeakGoroutines, o.BaselineGoroutines, o.EndGoroutines.Server(), o.EndGoroutines.Phones)
	return sb.String()
}

func (o burstOutcome) failureList() []string {
	var list []string
	for _, why := range slices.Sorted(maps.Keys(o.failures)) {
		list = append(list, fmt.Sprintf("%s×%d", why, o.failures[why]))
	}
	return list
}

func roundMs(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
