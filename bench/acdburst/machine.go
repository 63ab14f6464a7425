package acdburst

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// errNoCPULine means /proc/stat had no aggregate "cpu" line.
var errNoCPULine = errors.New("acdburst: /proc/stat: no cpu line")

// machineTicks is the aggregate CPU time of the machine from /proc/stat,
// in clock ticks: how much of it was busy, out of how much in all.
type machineTicks struct {
	Busy, Total uint64
}

// busyCores is how many cores were busy on average between a and b, given
// the machine has cores of them (2.0 = both cores of a 2-core machine).
func busyCores(a, b machineTicks, cores int) float64 {
	if b.Total <= a.Total {
		return 0
	}
	return float64(cores) * float64(b.Busy-a.Busy) / float64(b.Total-a.Total)
}

// readMachineTicks reads the machine's CPU time so far; it fails where
// there is no /proc (not Linux).
func readMachineTicks() (machineTicks, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineTicks{}, fmt.Errorf("acdburst: %w", err)
	}
	return parseProcStat(string(data))
}

// parseProcStat reads the first line of /proc/stat, "cpu user nice system
// idle iowait irq softirq steal guest guest_nice". Idle and iowait are not
// busy; guest time is already counted in user, so it is left out.
func parseProcStat(text string) (machineTicks, error) {
	line, _, _ := strings.Cut(text, "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return machineTicks{}, errNoCPULine
	}
	var t machineTicks
	for i, f := range fields[1:min(len(fields), 9)] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return machineTicks{}, fmt.Errorf("acdburst: /proc/stat: field %d: %w", i+1, err)
		}
		t.Total += v
		if i != 3 && i != 4 { // idle, iowait
			t.Busy += v
		}
	}
	return t, nil
}
