package benchkit

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ReadRSSKB returns the resident memory of process pid in kB.
func ReadRSSKB(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return ParseRSSKB(b)
}

// ParseRSSKB returns VmRSS in kB from the contents of /proc/<pid>/status.
func ParseRSSKB(status []byte) (uint64, error) {
	for line := range strings.SplitSeq(string(status), "\n") {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			break
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc status: VmRSS: %w", err)
		}
		return kb, nil
	}
	return 0, fmt.Errorf("proc status: no VmRSS")
}
