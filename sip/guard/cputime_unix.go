//go:build unix

package guard

import (
	"fmt"
	"syscall"
	"time"
)

// ProcessCPUTime is the user plus system CPU time of this process.
func ProcessCPUTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
