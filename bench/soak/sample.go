package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hotline-oss/hotline/bench/internal/benchkit"
)

// sample is the server's resources at one moment.
type sample struct {
	At         time.Duration // since the load started
	RSSKB      int64
	Goroutines int
	OpenFiles  int
	Ports      int // RTP port pairs in use
	Calls      int // active calls, every stage
	Ended      int // calls ended so far (hotline_calls_total)
	Failed     int // of which failed or blocked
}

// takeSample reads /proc for the process and /metrics for the rest.
func takeSample(ctx context.Context, s *benchkit.Server, at time.Duration) (sample, error) {
	pid := s.PID()
	out := sample{At: at}
	rss, err := benchkit.ReadRSSKB(pid)
	if err != nil {
		return out, fmt.Errorf("sample: %w", err)
	}
	out.RSSKB = int64(rss)
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return out, fmt.Errorf("sample: %w", err)
	}
	out.OpenFiles = len(fds)
	m, err := s.Scrape(ctx)
	if err != nil {
		return out, fmt.Errorf("sample: %w", err)
	}
	out.Goroutines = int(m.Sum("go_goroutines"))
	out.Ports = int(m.Sum("hotline_rtp_ports_in_use"))
	out.Calls = int(m.Sum("hotline_active_calls"))
	out.Ended = int(m.Sum("hotline_calls_total"))
	out.Failed = int(m.Sum("hotline_calls_total", "result", "failed") + m.Sum("hotline_calls_total", "result", "blocked"))
	return out, nil
}
