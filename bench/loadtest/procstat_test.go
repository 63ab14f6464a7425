package main

import (
	"os"
	"testing"
	"time"
)

func TestParseStatTicks(t *testing.T) {
	// A command name with spaces and a ')' must not shift the fields.
	stat := "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 1234 0 0 0 350 150 0 0 20 0 9 0 100 1000000 2000\n"
	got, err := parseStatTicks([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	if got != 500 {
		t.Errorf("utime+stime = %d, want 350+150", got)
	}
	if _, err := parseStatTicks([]byte("4242 (short) S 1 2")); err == nil {
		t.Error("short stat parsed")
	}
	if _, err := parseStatTicks([]byte("no name at all")); err == nil {
		t.Error("stat without a name parsed")
	}
}

func TestParseMachineTicks(t *testing.T) {
	first, err := parseMachineTicks([]byte("cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if first.total != 1000 || first.busy != 160 || first.softirq != 2 {
		t.Errorf("got %+v, want busy 160 softirq 2 of 1000", first)
	}
	later, err := parseMachineTicks([]byte("cpu  150 5 90 900 40 3 12 0 0 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	busy := first.share(later, func(m machineTicks) uint64 { return m.busy })
	soft := first.share(later, func(m machineTicks) uint64 { return m.softirq })
	if busy != 50 || soft != 5 {
		t.Errorf("busy %v%% softirq %v%% of 200 ticks, want 50%% and 5%%", busy, soft)
	}
	if _, err := parseMachineTicks([]byte("intr 1 2 3\n")); err == nil {
		t.Error("stat without a cpu line parsed")
	}
}

func TestCPUPercent(t *testing.T) {
	if got := cpuPercent(150, 2*time.Second); got != 75 {
		t.Errorf("150 ticks in 2s = %v%%, want 75%%", got)
	}
	if got := cpuPercent(400, 2*time.Second); got != 200 {
		t.Errorf("two busy cores = %v%%, want 200%%", got)
	}
	if got := cpuPercent(10, 0); got != 0 {
		t.Errorf("no elapsed time = %v", got)
	}
}

func TestBusiestThread(t *testing.T) {
	first := map[int]uint64{1: 100, 2: 50}
	last := map[int]uint64{1: 130, 2: 140, 3: 20}
	if got := busiestThread(first, last, time.Second); got != 90 {
		t.Errorf("busiest = %v%%, want thread 2's 90%%", got)
	}
}

// The readers work on this very process.
func TestReadOwnProcess(t *testing.T) {
	pid := os.Getpid()
	if _, err := readProcTicks(pid); err != nil {
		t.Fatal(err)
	}
	threads, err := readThreadTicks(pid)
	if err != nil || len(threads) == 0 {
		t.Fatalf("threads %v, %v", threads, err)
	}
	if m, err := readMachineTicks(); err != nil || m.total == 0 {
		t.Fatalf("machine ticks %+v, %v", m, err)
	}
}
