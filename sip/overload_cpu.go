package sip

import (
	"runtime"
	"time"

	"github.com/hotline-oss/hotline/sip/guard"
)

// startOverload starts sampling process CPU when a CPU limit is set and no
// sampler was injected. Where the platform cannot tell the process's CPU
// time, the limit is switched off with a warning rather than refusing
// every call.
func (e *Endpoint) startOverload() {
	o := e.overload
	if !o.NeedsCPUSampler() {
		return
	}
	s := guard.NewCPUSampler(guard.ProcessCPUTime, runtime.NumCPU())
	if err := s.Sample(time.Now()); err != nil {
		e.log.Warn("sip.max_cpu_percent is ignored: process CPU time unavailable", "err", err)
		return
	}
	o.SetCPUPercent(s.Percent)
	e.serve.Add(1)
	go func() {
		defer e.serve.Done()
		t := time.NewTicker(guard.CPUSampleEvery)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				_ = s.Sample(now)
			case <-e.ctx.Done():
				return
			}
		}
	}()
}
