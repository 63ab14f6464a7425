//go:build unix

package acdburst

import (
	"fmt"
	"syscall"
	"time"
)

// processCPU is the user plus system CPU time this process has used so
// far: the same figure as utime+stime of /proc/self/stat, at microsecond
// rather than clock-tick resolution.
func processCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("acdburst: getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
