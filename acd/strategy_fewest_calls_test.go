package acd

import (
	"slices"
	"testing"
	"time"
)

func TestFewestCallsPicksLeastBusy(t *testing.T) {
	s := newFewestCalls()
	cands := candidates(3)
	cands[0].CallsToday = 5
	cands[1].CallsToday = 2
	cands[2].CallsToday = 2
	cands[2].IdleSince = epoch.Add(-time.Minute) // idle longer than 1002
	for _, c := range cands {
		s.Add(c)
	}
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1003"}) {
		t.Fatalf("picked %v, want 1003 (2 calls, idle longest)", got)
	}
	if got := pickIDs(s, skipIDs("1003")); !slices.Equal(got, []string{"1002"}) {
		t.Fatalf("picked %v, want 1002", got)
	}
}

// Through the ACD: answered calls count, and the count starts over at
// midnight on the ACD's clock or on ResetDailyCounters.
func TestFewestCallsCountsTodayOnly(t *testing.T) {
	q := quietQueue("q")
	q.Strategy = StrategyFewestCalls
	h := newHarness(t, team(q, 2))
	h.login("1001")
	h.clock.t = h.clock.t.Add(time.Second)
	h.login("1002")
	serve := func(id string) string {
		agent := offeredTo(t, h.ok(h.acd.Enqueue(id, "q", "", 0)))
		h.ok(h.acd.OfferAnswered(id, agent))
		h.clock.t = h.clock.t.Add(time.Minute)
		h.ok(h.acd.TalkEnded(id, "caller"))
		return agent
	}
	// 1001 takes the first (idle longer); then 1002 has fewer calls.
	if got := []string{serve("c1"), serve("c2"), serve("c3")}; !slices.Equal(got, []string{"1001", "1002", "1001"}) {
		t.Fatalf("agents %v", got)
	}
	if info, _ := h.acd.Agent("1001"); info.CallsToday != 2 {
		t.Fatalf("1001 answered %d today, want 2", info.CallsToday)
	}
	h.clock.t = time.Date(2026, 3, 3, 0, 0, 1, 0, time.UTC)
	if info, _ := h.acd.Agent("1001"); info.CallsToday != 0 {
		t.Fatalf("after midnight 1001 has %d calls, want 0", info.CallsToday)
	}
	// Counts equal again: longest idle (1002 ended c2 first) wins.
	if got := serve("c4"); got != "1002" {
		t.Fatalf("after midnight got %s, want 1002", got)
	}
	h.acd.ResetDailyCounters()
	if info, _ := h.acd.Agent("1002"); info.CallsToday != 0 {
		t.Fatalf("after reset 1002 has %d calls", info.CallsToday)
	}
}
