package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestCallbackRefusalsStartAtZeroAndCountByReason(t *testing.T) {
	reg := prometheus.NewRegistry()
	r, err := NewCallbackRefusals(reg, []string{"untrusted_source", "not_allowed", "number_cap"})
	if err != nil {
		t.Fatal(err)
	}
	r.Refused("not_allowed")
	r.Refused("not_allowed")
	r.Refused("made_up") // not in the set: no new series
	want := `
# HELP hotline_callbacks_refused_total Callbacks refused or withheld against toll fraud, by reason (untrusted_source, not_allowed, not_known, not_confirmed, number_cap, hourly_cap).
# TYPE hotline_callbacks_refused_total counter
hotline_callbacks_refused_total{reason="not_allowed"} 2
hotline_callbacks_refused_total{reason="number_cap"} 0
hotline_callbacks_refused_total{reason="untrusted_source"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hotline_callbacks_refused_total"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewCallbackRefusals(prometheus.NewRegistry(), nil); err == nil {
		t.Fatal("no reasons accepted")
	}
}
