package metrics

import (
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// rebuildHistory mixes calls and agents' changes over a day, some before
// the 30-minute windows begin, in the order they happened.
func rebuildHistory() []call.Event {
	events := callEvents()
	events = append(events,
		agentEvent("x", "logged_out", "available", at(10, 8, 0, 0)),
		agentEvent("x", "available", "talking", at(10, 9, 0, 10)),
		agentEvent("x", "talking", "available", at(10, 9, 1, 40)),
		agentEvent("y", "logged_out", "available", at(9, 23, 30, 0)), // since yesterday
		agentEvent("y", "available", "talking", at(10, 9, 2, 15)),
	)
	slices.SortStableFunc(events, func(a, b call.Event) int { return a.Time.Compare(b.Time) })
	return events
}

func rebuildMetrics(t *testing.T, clock Clock) *Metrics {
	t.Helper()
	m := New()
	err := m.EnableWindows(zone, clock, map[string]QueueThresholds{
		"billing": {ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second},
	}, WithAgentQueues(map[string][]string{"x": {"billing"}, "y": {"billing"}}))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A rebuild from the history gives the figures the live stream gave, in
// every window, and later live events carry on from it.
func TestRebuildWindowsEqualsTheLiveFold(t *testing.T) {
	clock := &windowClock{}
	live, rebuilt := rebuildMetrics(t, clock), rebuildMetrics(t, clock)
	history := rebuildHistory()
	for _, e := range history {
		clock.set(e.Time)
		live.HandleEvent(e)
	}
	rebuilt.HandleEvent(call.Event{Kind: call.Queued, Queue: "billing", CallID: "stale", Time: at(10, 9, 0, 0)})
	clock.set(at(10, 9, 10, 0))
	rebuilt.RebuildWindows(history, time.Time{})

	later := agentEvent("x", "available", "talking", at(10, 9, 12, 0))
	clock.set(at(10, 9, 12, 0))
	live.HandleEvent(later)
	rebuilt.HandleEvent(later)
	for _, now := range []time.Time{at(10, 9, 12, 0), at(10, 9, 20, 0), at(10, 9, 40, 0)} {
		clock.set(now)
		for _, win := range Windows {
			want, got := live.WindowFigures(win)["billing"], rebuilt.WindowFigures(win)["billing"]
			if want.Offered == 0 && win == WindowToday {
				t.Fatalf("%s today: the history gave no figures", now)
			}
			if want.Offered != got.Offered || want.Answered != got.Answered || want.Abandoned != got.Abandoned ||
				want.ShortAbandoned != got.ShortAbandoned || !sameFigure(want.ServiceLevel, got.ServiceLevel) ||
				!sameFigure(want.ASA, got.ASA) || !sameFigure(want.Occupancy, got.Occupancy) {
				t.Errorf("%s %s: live %+v, rebuilt %+v", now.Format("15:04"), win, want, got)
			}
		}
	}
}

// A standalone restart takes every agent out at the restart: the downtime
// after it counts for no one's occupancy.
func TestRebuildWindowsTakesAgentsOutAtTheRestart(t *testing.T) {
	clock := &windowClock{}
	m := rebuildMetrics(t, clock)
	restart := at(10, 9, 3, 0)
	clock.set(restart)
	m.RebuildWindows(rebuildHistory(), restart)
	before := m.WindowFigures(WindowToday)["billing"].Occupancy
	clock.set(at(10, 9, 30, 0))
	if after := m.WindowFigures(WindowToday)["billing"].Occupancy; !sameFigure(before, after) {
		t.Errorf("occupancy moved from %+v to %+v while nobody was logged in", before, after)
	}
	// The agent's next change starts from logged out.
	m.HandleEvent(agentEvent("x", "logged_out", "available", at(10, 9, 30, 0)))
	clock.set(at(10, 9, 40, 0))
	if got := m.WindowFigures(Window15m)["billing"].Occupancy; !sameFigure(got, defined(0)) {
		t.Errorf("15m occupancy with x idle since 09:30: %+v, want 0", got)
	}
}

func TestWindowsSince(t *testing.T) {
	m := rebuildMetrics(t, &windowClock{})
	if got := m.WindowsSince(at(10, 9, 0, 0)); !got.Equal(at(10, 0, 0, 0)) {
		t.Errorf("at 09:00: since %s, want midnight", got)
	}
	if got := m.WindowsSince(at(10, 0, 10, 0)); got.After(at(9, 23, 40, 0)) {
		t.Errorf("at 00:10: since %s, want 23:40 the day before or earlier", got)
	}
	if got := New().WindowsSince(at(10, 9, 0, 0)); !got.IsZero() {
		t.Errorf("without windows: %s", got)
	}
}

// A clustered node's windows hold only what the shared records say: its
// own live events would count its callers twice and the others' never.
func TestWindowsFromRecordsOnlyIgnoreLiveEvents(t *testing.T) {
	clock := &windowClock{}
	m := New()
	if err := m.EnableWindows(zone, clock, nil, WithRecordsOnly()); err != nil {
		t.Fatal(err)
	}
	clock.set(at(10, 9, 5, 0))
	m.HandleEvent(call.Event{Kind: call.Queued, Queue: "billing", CallID: "live", Time: at(10, 9, 4, 0)})
	if got := m.WindowFigures(WindowToday)["billing"].Offered; got != 0 {
		t.Fatalf("a live event counted %d offered", got)
	}
	m.RebuildWindows(callEvents(), time.Time{})
	if got := m.WindowFigures(WindowToday)["billing"].Offered; got != 5 {
		t.Fatalf("after the records: %d offered, want 5", got)
	}
}
