//go:build !unix

package acdburst

import (
	"errors"
	"time"
)

var errNoProcessCPU = errors.New("acdburst: process CPU time is not available on this system")

func processCPU() (time.Duration, error) { return 0, errNoProcessCPU }
