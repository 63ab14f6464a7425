package acdburst

import (
	"errors"
	"math"
	"testing"
)

func TestParseProcStatCountsIdleAndIOWaitAsNotBusy(t *testing.T) {
	text := "cpu  100 5 50 800 40 3 2 0 7 0\ncpu0 50 2 25 400 20 1 1 0 0 0\nintr 1\n"
	got, err := parseProcStat(text)
	if err != nil {
		t.Fatal(err)
	}
	// Busy: user+nice+system+irq+softirq+steal; guest is inside user.
	want := machineTicks{Busy: 100 + 5 + 50 + 3 + 2 + 0, Total: 100 + 5 + 50 + 800 + 40 + 3 + 2 + 0}
	if got != want {
		t.Errorf("parseProcStat = %+v, want %+v", got, want)
	}
}

func TestParseProcStatRejectsOtherText(t *testing.T) {
	if _, err := parseProcStat("intr 1 2 3\n"); !errors.Is(err, errNoCPULine) {
		t.Errorf("no cpu line: err %v", err)
	}
	if _, err := parseProcStat("cpu 1 2 x 4 5\n"); err == nil {
		t.Error("a non-numeric field was accepted")
	}
}

func TestBusyCores(t *testing.T) {
	a := machineTicks{Busy: 1000, Total: 4000}
	b := machineTicks{Busy: 1150, Total: 4200} // 150 of 200 ticks busy
	if got := busyCores(a, b, 2); math.Abs(got-1.5) > 1e-9 {
		t.Errorf("busyCores = %v, want 1.5", got)
	}
	if got := busyCores(b, b, 2); got != 0 {
		t.Errorf("no time passed: %v", got)
	}
}

func TestReadMachineTicksOnThisMachine(t *testing.T) {
	got, err := readMachineTicks()
	if err != nil {
		t.Skipf("no /proc/stat here: %v", err)
	}
	if got.Total == 0 || got.Busy > got.Total {
		t.Errorf("implausible ticks %+v", got)
	}
}

func TestProcessCPUAdvancesWithWork(t *testing.T) {
	before, err := processCPU()
	if err != nil {
		t.Skip(err)
	}
	x := 1.0
	for i := range 20_000_000 {
		x = x*1.0000001 + float64(i&1)
	}
	after, err := processCPU()
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("process CPU went from %v to %v after busy work (%v)", before, after, x)
	}
}
