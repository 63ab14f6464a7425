package metrics

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/call"
)

func TestWindowGaugesAtScrapeTime(t *testing.T) {
	clock := &windowClock{now: at(10, 9, 5, 0)}
	m := New()
	err := m.EnableWindows(zone, clock, map[string]QueueThresholds{
		"billing": {ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second},
		"idle":    {ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second},
	}, WithAgentQueues(map[string][]string{"x": {"billing"}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range callEvents() {
		m.HandleEvent(e)
	}
	m.HandleEvent(agentEvent("x", "logged_out", "available", at(10, 9, 3, 0)))
	m.HandleEvent(agentEvent("x", "available", "talking", at(10, 9, 4, 0)))

	names := []string{"hotline_service_level_ratio", "hotline_abandon_ratio", "hotline_asa_seconds", "hotline_occupancy_ratio"}
	// The queue without calls or agents has no series at all: an SL of 0
	// (or 1) for an empty queue would be a lie on any dashboard.
	want := `
# HELP hotline_abandon_ratio (Abandoned − short abandoned) ÷ (offered − short abandoned) over the window; absent without calls.
# TYPE hotline_abandon_ratio gauge
hotline_abandon_ratio{queue="billing",window="15m"} 0.25
hotline_abandon_ratio{queue="billing",window="30m"} 0.25
hotline_abandon_ratio{queue="billing",window="today"} 0.25
# HELP hotline_asa_seconds Average speed of answer: total queue wait of answered calls ÷ answered, over the window; absent without answers.
# TYPE hotline_asa_seconds gauge
hotline_asa_seconds{queue="billing",window="15m"} 18.333333333333332
hotline_asa_seconds{queue="billing",window="30m"} 18.333333333333332
hotline_asa_seconds{queue="billing",window="today"} 18.333333333333332
# HELP hotline_occupancy_ratio (Talk + hold) ÷ (talk + hold + available idle) of the queue's agents over the window; absent without agent time.
# TYPE hotline_occupancy_ratio gauge
hotline_occupancy_ratio{queue="billing",window="15m"} 0.5
hotline_occupancy_ratio{queue="billing",window="30m"} 0.5
hotline_occupancy_ratio{queue="billing",window="today"} 0.5
# HELP hotline_service_level_ratio Answered within service_level_seconds ÷ (offered − short abandoned) over the window; absent without calls.
# TYPE hotline_service_level_ratio gauge
hotline_service_level_ratio{queue="billing",window="15m"} 0.5
hotline_service_level_ratio{queue="billing",window="30m"} 0.5
hotline_service_level_ratio{queue="billing",window="today"} 0.5
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// Twenty minutes on, without events, the 15m series are gone and
	// occupancy has grown, because the gauges are computed when scraped.
	clock.set(at(10, 9, 25, 0))
	// 30m from 08:55:10: idle 09:03–09:04, busy 09:04–09:25.
	if got := gaugeValue(t, m, "hotline_occupancy_ratio", "billing", "30m"); math.Abs(got-1260.0/1320) > 1e-9 {
		t.Errorf("30m occupancy at 09:25 = %v, want %v", got, 1260.0/1320)
	}
	n, err := testutil.GatherAndCount(m.Registry(), "hotline_service_level_ratio")
	if err != nil || n != 2 {
		t.Errorf("service level series at 09:25: %d (%v), want 2 (30m and today)", n, err)
	}
}

// gaugeValue gathers one window series.
func gaugeValue(t *testing.T, m *Metrics, name, queue, window string) float64 {
	t.Helper()
	for _, s := range familySeries(t, m, name) {
		labels := labelMap(s)
		if labels["queue"] == queue && labels["window"] == window {
			return s.GetGauge().GetValue()
		}
	}
	t.Fatalf("no %s{queue=%q,window=%q}", name, queue, window)
	return 0
}

func TestWallboardSnapshot(t *testing.T) {
	clock := &windowClock{now: at(10, 9, 5, 0)}
	m := New()
	if err := m.EnableWindows(zone, clock, map[string]QueueThresholds{
		"billing": {ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second},
		"repairs": {ServiceLevel: 30 * time.Second, ShortAbandon: 5 * time.Second},
	}, WithServiceLevelTargets(map[string]float64{"repairs": 0.9})); err != nil {
		t.Fatal(err)
	}
	for _, e := range callEvents() {
		m.HandleEvent(e)
	}
	// Without a live source the configured queues show, sorted.
	board := m.Wallboard()
	if len(board) != 2 || board[0].Queue != "billing" || board[1].Queue != "repairs" {
		t.Fatalf("board without live source: %+v", board)
	}
	m.SetSnapshotSource(func() []QueueSnapshot {
		return []QueueSnapshot{
			{Name: "repairs", Waiting: 0, Agents: map[string]int{"available": 1}},
			{Name: "billing", Waiting: 3, OldestWaitSeconds: 95, ExpectedWaitSeconds: 40,
				Agents: map[string]int{"available": 1, "talking": 2, "hold": 1, "wrapup": 1, "paused": 2, "ringing": 1}},
		}
	})
	board = m.Wallboard()
	if len(board) != 2 || board[0].Queue != "repairs" {
		t.Fatalf("board order %+v, want the ACD's", board)
	}
	b := board[1]
	if b.Waiting != 3 || b.OldestWaitSeconds != 95 || b.Offered != 5 || b.Answered != 3 || b.Abandoned != 2 {
		t.Errorf("billing live and counts %+v", b)
	}
	if !sameFigure(b.ServiceLevel, defined(0.5)) || !sameFigure(b.AbandonRate, defined(0.25)) || !sameFigure(b.ASASeconds, defined(55.0/3)) {
		t.Errorf("billing KPIs %+v", b)
	}
	if b.Agents != (AgentCounts{Available: 1, Ringing: 1, Talking: 3, Wrapup: 1, Paused: 2}) {
		t.Errorf("billing agents %+v", b.Agents)
	}
	r := board[0]
	if r.ServiceLevelTarget != 0.9 || r.ServiceLevelSeconds != 30 || b.ServiceLevelTarget != 0.8 {
		t.Errorf("targets: repairs %v/%vs, billing %v", r.ServiceLevelTarget, r.ServiceLevelSeconds, b.ServiceLevelTarget)
	}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"service_level":null`) || !strings.Contains(string(raw), `"asa_seconds":null`) {
		t.Errorf("a queue without calls must send null KPIs: %s", raw)
	}
}

func TestWallboardWithoutWindows(t *testing.T) {
	m := New()
	if m.Wallboard() == nil || len(m.Wallboard()) != 0 {
		t.Error("no source and no windows: want an empty, non-nil board")
	}
	m.SetSnapshotSource(func() []QueueSnapshot { return []QueueSnapshot{{Name: "q", Waiting: 2}} })
	board := m.Wallboard()
	if len(board) != 1 || board[0].Waiting != 2 || board[0].ServiceLevel.Defined || m.WindowFigures(WindowToday) != nil {
		t.Errorf("live only: %+v", board)
	}
	m.HandleEvent(call.Event{Kind: call.Queued, Queue: "q", Time: at(10, 9, 0, 0)}) // must not panic
}
