package ivr

import (
	"strings"
	"testing"
)

func TestRecordMaxDurationIsBounded(t *testing.T) {
	long := strings.Replace(faultFlow, "max_duration: 30s", "max_duration: 11m", 1)
	_, _, err := parseConfig(t, "fault.yaml", long, Validator{})
	if err == nil || !strings.Contains(err.Error(), "max_duration: at most 10m0s") || !strings.Contains(err.Error(), "fault.yaml:") {
		t.Fatalf("max_duration 11m: %v, want file:line and the bound", err)
	}
}

const faultFlow = `
flows:
  main:
    start: message
    nodes:
      message:
        type: record
        prompts: [fault_record]
        max_duration: 30s
        end_silence: 2s
        next: file
        on_fail: desk
      file:
        type: fault_report
        prompts: [fault_work_order_is]
        fallback: [fault_not_filed]
        timeout: 5s
        next: bye
        on_fail: desk
      desk: {type: queue, queue: repair}
      bye: {type: hangup, prompts: [goodbye], self_service: true}
`
