package metrics

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/hotline-oss/hotline/call"
)

var testLabelValues = LabelValues{TransferKinds: []string{"blind", "attended"}, Categories: []string{"repair", "complaint"}}

// series gathers the registry into "name{label=value,…}" keys (labels in
// the registry's order) with each sample's value: a counter's or gauge's
// value, a histogram's count.
func series(t *testing.T, m *Metrics) map[string]float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			var labels []string
			for _, l := range s.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = sampleValue(f.GetType(), s)
		}
	}
	return out
}

func sampleValue(kind dto.MetricType, s *dto.Metric) float64 {
	switch kind {
	case dto.MetricType_COUNTER:
		return s.GetCounter().GetValue()
	case dto.MetricType_HISTOGRAM:
		return float64(s.GetHistogram().GetSampleCount())
	}
	return s.GetGauge().GetValue()
}

// wantQueueSeries lists every per-queue counter and histogram a configured
// queue must have before its first call.
func wantQueueSeries(queue string, overflowTargets ...string) []string {
	q := "queue=" + queue
	var want []string
	for _, name := range []string{"hotline_queue_offered_total", "hotline_queue_answered_total",
		"hotline_queue_answered_within_sl_total", "hotline_queue_abandoned_total", "hotline_queue_short_abandoned_total",
		"hotline_talk_seconds", "hotline_hold_seconds", "hotline_wrapup_seconds", "hotline_handle_seconds"} {
		want = append(want, name+"{"+q+"}")
	}
	for _, outcome := range waitOutcomes {
		want = append(want, "hotline_queue_wait_seconds{outcome="+outcome+","+q+"}")
	}
	for _, target := range append([]string{""}, overflowTargets...) {
		want = append(want, "hotline_queue_overflowed_total{"+q+",target="+target+"}")
	}
	for _, kind := range testLabelValues.TransferKinds {
		want = append(want, "hotline_transfers_total{kind="+kind+","+q+"}")
	}
	for _, category := range testLabelValues.Categories {
		for _, resolved := range []string{"no", "yes"} {
			want = append(want, fmt.Sprintf("hotline_dispositions_total{category=%s,%s,resolved=%s}", category, q, resolved))
		}
	}
	return want
}

func windowSeries(name, queue string) []string {
	var out []string
	for _, win := range Windows {
		out = append(out, fmt.Sprintf("%s{queue=%s,window=%s}", name, queue, win))
	}
	return out
}

// A fresh server with configured queues exports every per-queue series
// whose labels are known, at zero, before any call; a reload adds them for
// a new queue without resetting the others. Ratios and averages without a
// denominator stay absent.
func TestConfiguredQueuesHaveTheirSeriesBeforeTheFirstCall(t *testing.T) {
	clock := &windowClock{now: at(10, 9, 0, 0)}
	m := New()
	sl := QueueThresholds{ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second}
	thresholds := map[string]QueueThresholds{"billing": sl, "repairs": sl}
	if err := m.EnableWindows(zone, clock, thresholds, WithAgentQueues(map[string][]string{"1001": {"billing"}})); err != nil {
		t.Fatal(err)
	}
	queues := []QueueInfo{{Name: "billing", DisplayName: "Billing & payments", OverflowTargets: []string{"queue:repairs"}}, {Name: "repairs"}}
	m.SetQueueThresholds(thresholds)
	m.InitQueues(queues, testLabelValues)

	got := series(t, m)
	want := append(wantQueueSeries("billing", "queue:repairs"), wantQueueSeries("repairs")...)
	for _, key := range want {
		if v, ok := got[key]; !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want present at 0", key, v, ok)
		}
	}
	for _, name := range []string{"hotline_service_level_ratio", "hotline_abandon_ratio", "hotline_asa_seconds", "hotline_occupancy_ratio"} {
		for _, key := range append(windowSeries(name, "billing"), windowSeries(name, "repairs")...) {
			if v, ok := got[key]; ok {
				t.Errorf("%s = %v without a denominator; want it absent", key, v)
			}
		}
	}

	// Calls queued, none answered, an agent of billing available: occupancy
	// is defined (0), ASA is not; repairs has no agent time.
	m.HandleEvent(agentEvent("1001", "logged_out", "available", at(10, 9, 0, 0)))
	m.HandleEvent(call.Event{Kind: call.Queued, CallID: "a", Queue: "billing", Time: at(10, 9, 0, 30)})
	m.HandleEvent(call.Event{Kind: call.Queued, CallID: "b", Queue: "repairs", Time: at(10, 9, 0, 40)})
	clock.set(at(10, 9, 1, 0))
	got = series(t, m)
	for _, key := range windowSeries("hotline_occupancy_ratio", "billing") {
		if v, ok := got[key]; !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want 0: an available agent, no talk", key, v, ok)
		}
	}
	for _, key := range append(windowSeries("hotline_asa_seconds", "billing"), windowSeries("hotline_occupancy_ratio", "repairs")...) {
		if _, ok := got[key]; ok {
			t.Errorf("%s present; undefined without answers or agent time", key)
		}
	}
	if got["hotline_queue_offered_total{queue=billing}"] != 1 {
		t.Errorf("billing offered = %v, want 1", got["hotline_queue_offered_total{queue=billing}"])
	}

	// A reload adds outages, served by 1001 too, and renames billing.
	thresholds = map[string]QueueThresholds{"billing": sl, "repairs": sl, "outages": sl}
	queues = []QueueInfo{{Name: "billing", DisplayName: "Billing", OverflowTargets: []string{"queue:repairs"}}, {Name: "outages", DisplayName: "Power outages"}, {Name: "repairs"}}
	m.SetQueueThresholds(thresholds)
	m.InitQueues(queues, testLabelValues)
	m.SetWindowQueues(thresholds, map[string][]string{"1001": {"billing", "outages"}})
	clock.set(at(10, 9, 2, 0))
	got = series(t, m)
	for _, key := range wantQueueSeries("outages") {
		if v, ok := got[key]; !ok || v != 0 {
			t.Errorf("after the reload %s = %v (present %v), want present at 0", key, v, ok)
		}
	}
	if got["hotline_queue_offered_total{queue=billing}"] != 1 {
		t.Errorf("the reload reset billing offered to %v", got["hotline_queue_offered_total{queue=billing}"])
	}
	// The agent already available counts for the new queue from the reload.
	for _, key := range windowSeries("hotline_occupancy_ratio", "outages") {
		if v, ok := got[key]; !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want 0 for the new queue's available agent", key, v, ok)
		}
	}

	board := m.Wallboard()
	var names []string
	for _, q := range board {
		names = append(names, q.Queue+"="+q.DisplayName)
	}
	if !slices.Equal(names, []string{"billing=Billing", "outages=Power outages", "repairs=repairs"}) {
		t.Errorf("wallboard queues %v, want each with its display name (the key by default)", names)
	}
}

// An agent who leaves a queue on reload stops counting towards its
// occupancy: busy time after the reload goes to the queues it serves now.
func TestReloadMovesAnAgentsOccupancy(t *testing.T) {
	clock := &windowClock{now: at(10, 9, 0, 0)}
	m := New()
	sl := QueueThresholds{ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second}
	thresholds := map[string]QueueThresholds{"billing": sl, "repairs": sl}
	if err := m.EnableWindows(zone, clock, thresholds, WithAgentQueues(map[string][]string{"1001": {"billing"}, "1002": {"billing"}})); err != nil {
		t.Fatal(err)
	}
	m.HandleEvent(agentEvent("1001", "logged_out", "available", at(10, 9, 0, 0)))
	m.HandleEvent(agentEvent("1002", "logged_out", "talking", at(10, 9, 0, 0)))
	clock.set(at(10, 9, 1, 0))
	// 1002 moves from billing to repairs while talking.
	m.SetWindowQueues(thresholds, map[string][]string{"1001": {"billing"}, "1002": {"repairs"}})
	clock.set(at(10, 9, 3, 0))
	// billing: 1001 idle 180 s, 1002 busy 60 s → 60/240; repairs: 1002 busy 120 s → 1.
	if got := gaugeValue(t, m, "hotline_occupancy_ratio", "billing", "today"); got != 0.25 {
		t.Errorf("billing occupancy today = %v, want 0.25", got)
	}
	if got := gaugeValue(t, m, "hotline_occupancy_ratio", "repairs", "today"); got != 1 {
		t.Errorf("repairs occupancy today = %v, want 1", got)
	}
	// Its next state change counts for repairs only.
	m.HandleEvent(agentEvent("1002", "talking", "available", at(10, 9, 3, 0)))
	clock.set(at(10, 9, 4, 0))
	if got := gaugeValue(t, m, "hotline_occupancy_ratio", "billing", "today"); math.Abs(got-60.0/300) > 1e-9 {
		t.Errorf("billing occupancy at 09:04 = %v, want %v", got, 60.0/300)
	}
	if got := gaugeValue(t, m, "hotline_occupancy_ratio", "repairs", "today"); math.Abs(got-120.0/180) > 1e-9 {
		t.Errorf("repairs occupancy at 09:04 = %v, want %v", got, 120.0/180)
	}
}
