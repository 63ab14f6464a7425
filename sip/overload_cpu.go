package sip

import (
	"runtime"
	"time"
)

// startOverload starts sampling process CPU when a CPU limit is set and no
// sampler was injected. Where the platform cannot tell the process's CPU
// time, the limit is switched off with a warning rather than refusing
// every call.
func (e *Endpoint) startOverload() {
	o := e.overload
	if o.cfg.MaxCPUPercent <= 0 || o.cfg.CPUPercent != nil {
		return
	}
	s := newCPUSampler(processCPUTime, runtime.NumCPU())
	if err := s.sample(time.Now()); err != nil {
		e.log.Warn("sip.max_cpu_percent is ignored: process CPU time unavailable", "err", err)
		return
	}
	o.cfg.CPUPercent = s.Percent
	e.serve.Add(1)
	go func() {
		defer e.serve.Done()
		t := time.NewTicker(cpuSampleEvery)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				_ = s.sample(now)
			case <-e.ctx.Done():
				return
			}
		}
	}()
}
