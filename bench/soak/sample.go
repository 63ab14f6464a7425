package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
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
func takeSample(ctx context.Context, s *server, at time.Duration) (sample, error) {
	pid := s.cmd.Process.Pid
	out := sample{At: at}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return out, fmt.Errorf("sample: %w", err)
	}
	if out.RSSKB, err = parseRSSKB(status); err != nil {
		return out, err
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return out, fmt.Errorf("sample: %w", err)
	}
	out.OpenFiles = len(fds)
	var body bytes.Buffer
	if code, err := s.get(ctx, "/metrics", &body); err != nil || code != 200 {
		return out, fmt.Errorf("sample: /metrics: status %d, %v", code, err)
	}
	m, err := parseMetrics(&body)
	if err != nil {
		return out, err
	}
	out.Goroutines = int(m.sum("go_goroutines", ""))
	out.Ports = int(m.sum("hotline_rtp_ports_in_use", ""))
	out.Calls = int(m.sum("hotline_active_calls", ""))
	out.Ended = int(m.sum("hotline_calls_total", ""))
	out.Failed = int(m.sum("hotline_calls_total", `result="failed"`) + m.sum("hotline_calls_total", `result="blocked"`))
	return out, nil
}

// parseRSSKB reads VmRSS from /proc/<pid>/status.
func parseRSSKB(status []byte) (int64, error) {
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				break
			}
			return strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("sample: no VmRSS in status")
}

// metricLines is a scrape: one entry per series line, the name with its
// label text and the value.
type metricLines []struct {
	name, labels string
	value        float64
}

// parseMetrics reads the Prometheus text format, enough to add up
// counters and gauges by name and label text.
func parseMetrics(r io.Reader) (metricLines, error) {
	var out metricLines
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, labels, rest := line, "", ""
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name, rest = line[:i], line[i:]
		}
		if strings.HasPrefix(rest, "{") {
			j := strings.LastIndexByte(rest, '}')
			if j < 0 {
				return nil, fmt.Errorf("metrics: unterminated labels in %q", line)
			}
			labels, rest = rest[1:j], rest[j+1:]
		}
		// The value, then an optional timestamp.
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, fmt.Errorf("metrics: no value in %q", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics: value in %q: %w", line, err)
		}
		out = append(out, struct {
			name, labels string
			value        float64
		}{name, labels, v})
	}
	return out, sc.Err()
}

// sum adds the series called name whose label text contains label.
func (m metricLines) sum(name, label string) float64 {
	total := 0.0
	for _, x := range m {
		if x.name == name && strings.Contains(x.labels, label) {
			total += x.value
		}
	}
	return total
}
