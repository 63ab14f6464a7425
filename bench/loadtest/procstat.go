package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicksPerSecond is USER_HZ, the unit of the CPU times in
// /proc/<pid>/stat; it is 100 on every Linux architecture Go supports.
const clockTicksPerSecond = 100

// parseStatTicks returns utime+stime from the contents of /proc/<pid>/stat
// (or of a thread's /proc/<pid>/task/<tid>/stat). The command name in
// field 2 may hold spaces and parentheses, so fields are counted from the
// last ')'.
func parseStatTicks(stat []byte) (uint64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("proc stat: no command name")
	}
	// After ") " come field 3 (state) onwards; utime and stime are
	// fields 14 and 15, so indexes 11 and 12 here.
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("proc stat: %d fields after the name", len(fields))
	}
	utime, err := strconv.ParseUint(fields[11], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat: utime: %w", err)
	}
	stime, err := strconv.ParseUint(fields[12], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat: stime: %w", err)
	}
	return utime + stime, nil
}

// machineTicks are the whole machine's CPU times from /proc/stat, in
// ticks summed over every core.
type machineTicks struct {
	busy    uint64 // everything but idle and iowait
	softirq uint64 // kernel packet processing lands here, outside any process
	total   uint64
}

// share is the percentage of the machine's capacity (all cores) one of
// the counters used between two readings.
func (m machineTicks) share(later machineTicks, pick func(machineTicks) uint64) float64 {
	if later.total <= m.total {
		return 0
	}
	return 100 * float64(pick(later)-pick(m)) / float64(later.total-m.total)
}

// parseMachineTicks reads the "cpu" line of /proc/stat: user nice system
// idle iowait irq softirq steal ...
func parseMachineTicks(stat []byte) (machineTicks, error) {
	var m machineTicks
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) < 8 || fields[0] != "cpu" {
		return m, fmt.Errorf("proc stat: no cpu line")
	}
	for i, f := range fields[1:] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return m, fmt.Errorf("proc stat: cpu field %d: %w", i+1, err)
		}
		m.total += v
		switch i {
		case 3, 4: // idle, iowait
		case 6:
			m.softirq = v
			m.busy += v
		default:
			m.busy += v
		}
	}
	return m, nil
}

// cpuPercent turns CPU ticks used over elapsed wall time into percent of
// one core (200% is two cores fully busy).
func cpuPercent(ticks uint64, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return 100 * float64(ticks) / clockTicksPerSecond / elapsed.Seconds()
}

func readProcTicks(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatTicks(b)
}

// readThreadTicks returns the CPU ticks of each thread of pid.
func readThreadTicks(pid int) (map[int]uint64, error) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := make(map[int]uint64, len(entries))
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "stat"))
		if err != nil {
			continue // the thread ended meanwhile
		}
		if ticks, err := parseStatTicks(b); err == nil {
			out[tid] = ticks
		}
	}
	return out, nil
}

func readMachineTicks() (machineTicks, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineTicks{}, err
	}
	return parseMachineTicks(b)
}

// busiestThread is the highest CPU share (percent of one core) any single
// thread used between two per-thread snapshots. A thread absent from the
// first snapshot started meanwhile and counts from zero.
func busiestThread(first, last map[int]uint64, elapsed time.Duration) float64 {
	busiest := 0.0
	for tid, ticks := range last {
		used := ticks - min(first[tid], ticks)
		busiest = max(busiest, cpuPercent(used, elapsed))
	}
	return busiest
}
