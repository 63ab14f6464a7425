package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/call"
)

func TestSelfServiceSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewSelfService(reg, []string{"accounts"})
	if got := testutil.ToFloat64(m.lookups.WithLabelValues("accounts", "circuit_open")); got != 0 {
		t.Fatalf("pre-created series = %v", got)
	}
	for _, e := range []call.Event{
		{Kind: call.LookupDone, Detail: "accounts", Reason: "ok", Delay: 30 * time.Millisecond},
		{Kind: call.LookupDone, Detail: "accounts", Reason: "timeout", Delay: 2 * time.Second},
		{Kind: call.NoticePlayed, CallID: "a", Detail: "7", Target: "north"},
		{Kind: call.NoticePlayed, CallID: "a", Detail: "8", Target: "north"},
		{Kind: call.NoticePlayed, CallID: "b", Detail: "7", Target: "north"},
		{Kind: call.CallEnded, Result: call.ResultSelfService, Reason: ReasonNoticeHangup},
		{Kind: call.CallEnded, Result: call.ResultSelfService, Reason: "completed"},
		{Kind: call.CallEnded, Result: call.ResultAbandonedInIVR, Reason: ReasonNoticeHangup},
		{Kind: call.FaultReported, Detail: "F20261123-0001"},
	} {
		m.HandleEvent(e)
	}
	checks := []struct {
		name string
		c    prometheus.Collector
		want float64
	}{
		{"ok", m.lookups.WithLabelValues("accounts", "ok"), 1},
		{"timeout", m.lookups.WithLabelValues("accounts", "timeout"), 1},
		{"played", m.noticePlayed, 3},
		{"callers", m.noticeCallers, 2},
		{"hangups", m.noticeHangups, 1},
		{"faults", m.faultReports, 1},
	}
	for _, c := range checks {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.lookupDuration); n != 1 {
		t.Errorf("duration series = %d, want 1", n)
	}
}
