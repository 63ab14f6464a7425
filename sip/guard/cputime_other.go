//go:build !unix

package guard

import (
	"errors"
	"time"
)

// ProcessCPUTime fails where the platform cannot tell a process's CPU time.
func ProcessCPUTime() (time.Duration, error) {
	return 0, errors.New("process CPU time is not available on this platform")
}
