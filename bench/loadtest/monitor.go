package main

import (
	"context"
	"runtime"
	"time"

	"github.com/hotline-oss/hotline/bench/internal/benchkit"
)

// usage is what the machine spent during a measurement window. CPU
// figures are percent of one core: a 2-core machine has 200%.
type usage struct {
	ServerCPU  float64 // average over the window
	ServerRSS  float64 // MB, highest sample
	SIPpCPU    float64 // all SIPp threads
	SIPpThread float64 // the busiest SIPp thread
	MachineCPU float64 // every process and the kernel
	SoftIRQ    float64 // kernel packet processing, charged to no process
	// Others is what neither the server, SIPp nor packet processing used:
	// other processes on the machine, which skew the figures.
	Others  float64
	Samples int
}

// procTrack follows one process's CPU time and memory across samples.
type procTrack struct {
	pid                 int
	threads             bool
	haveFirst           bool
	firstAt, lastAt     time.Time
	firstTicks, last    uint64
	firstTIDs, lastTIDs map[int]uint64
	maxRSSKB            uint64
}

// sample reads the process now; a process that already exited keeps its
// last good sample, so a window may outlive SIPp.
func (p *procTrack) sample(now time.Time) {
	ticks, err := readProcTicks(p.pid)
	if err != nil {
		return
	}
	var tids map[int]uint64
	if p.threads {
		if tids, err = readThreadTicks(p.pid); err != nil {
			return
		}
	}
	if rss, err := benchkit.ReadRSSKB(p.pid); err == nil {
		p.maxRSSKB = max(p.maxRSSKB, rss)
	}
	if !p.haveFirst {
		p.haveFirst, p.firstAt, p.firstTicks, p.firstTIDs = true, now, ticks, tids
	}
	p.lastAt, p.last, p.lastTIDs = now, ticks, tids
}

func (p *procTrack) cpu() float64 {
	return cpuPercent(p.last-p.firstTicks, p.lastAt.Sub(p.firstAt))
}

func (p *procTrack) busiestThread() float64 {
	return busiestThread(p.firstTIDs, p.lastTIDs, p.lastAt.Sub(p.firstAt))
}

// measure samples the server and SIPp every interval until stop is closed
// (or ctx ends) and returns the averages over the window.
func measure(ctx context.Context, serverPID, sippPID int, interval time.Duration, stop <-chan struct{}) usage {
	server := &procTrack{pid: serverPID}
	sipp := &procTrack{pid: sippPID, threads: true}
	machine0, _ := readMachineTicks()
	var u usage
	tick := time.NewTicker(interval)
	defer tick.Stop()
	sampleAll := func() {
		now := time.Now()
		server.sample(now)
		sipp.sample(now)
		u.Samples++
	}
	sampleAll()
	for done := false; !done; {
		select {
		case <-tick.C:
			sampleAll()
		case <-stop:
			done = true
		case <-ctx.Done():
			done = true
		}
	}
	sampleAll()
	u.ServerCPU, u.ServerRSS = server.cpu(), float64(server.maxRSSKB)/1024
	u.SIPpCPU, u.SIPpThread = sipp.cpu(), sipp.busiestThread()
	if machine1, err := readMachineTicks(); err == nil {
		cores := float64(runtime.NumCPU())
		u.MachineCPU = cores * machine0.share(machine1, func(m machineTicks) uint64 { return m.busy })
		u.SoftIRQ = cores * machine0.share(machine1, func(m machineTicks) uint64 { return m.softirq })
		u.Others = max(0, u.MachineCPU-u.SoftIRQ-u.ServerCPU-u.SIPpCPU)
	}
	return u
}

// machineBusy is how much CPU the whole machine uses over probe, in
// percent of one core.
func machineBusy(ctx context.Context, probe time.Duration) (float64, error) {
	first, err := readMachineTicks()
	if err != nil {
		return 0, err
	}
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(probe):
	}
	last, err := readMachineTicks()
	if err != nil {
		return 0, err
	}
	return float64(runtime.NumCPU()) * first.share(last, func(m machineTicks) uint64 { return m.busy }), nil
}

// waitQuiet waits, for at most maxWait, until the machine is quieter than
// limit (percent of one core) before a run starts, so that other work on a
// shared machine skews the figures less. It returns the last probe.
func waitQuiet(ctx context.Context, limit float64, maxWait time.Duration) float64 {
	deadline := time.Now().Add(maxWait)
	for {
		busy, err := machineBusy(ctx, 2*time.Second)
		if err != nil || busy < limit || time.Now().After(deadline) {
			return busy
		}
	}
}
