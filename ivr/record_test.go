package ivr_test

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

func TestRecordMaxDurationIsBounded(t *testing.T) {
	long := strings.Replace(ivrtest.FaultFlow, "max_duration: 30s", "max_duration: 11m", 1)
	_, _, err := ivrtest.ParseConfig(t, "fault.yaml", long, ivr.Validator{})
	if err == nil || !strings.Contains(err.Error(), "max_duration: at most 10m0s") || !strings.Contains(err.Error(), "fault.yaml:") {
		t.Fatalf("max_duration 11m: %v, want file:line and the bound", err)
	}
}
