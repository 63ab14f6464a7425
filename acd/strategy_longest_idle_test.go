package acd

import (
	"slices"
	"testing"
	"time"
)

func TestLongestIdlePicksEarliestIdle(t *testing.T) {
	s := newLongestIdle()
	cands := candidates(4)
	cands[0].IdleSince = epoch.Add(3 * time.Minute)
	cands[1].IdleSince = epoch.Add(1 * time.Minute)
	cands[2].IdleSince = epoch.Add(2 * time.Minute)
	cands[3].IdleSince = epoch.Add(1 * time.Minute) // ties with 1002: config order decides
	for _, c := range cands {
		s.Add(c)
	}
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1002"}) {
		t.Fatalf("picked %v, want 1002", got)
	}
	if got := pickIDs(s, skipIDs("1002")); !slices.Equal(got, []string{"1004"}) {
		t.Fatalf("skipping 1002 picked %v, want 1004 (tie, later in config)", got)
	}
	if got := pickIDs(s, skipIDs("1002", "1004", "1003")); !slices.Equal(got, []string{"1001"}) {
		t.Fatalf("skipping three picked %v, want 1001", got)
	}
	s.Remove(cands[1])
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1004"}) {
		t.Fatalf("after removing 1002 picked %v, want 1004", got)
	}
}

// Through the ACD: idle time counts from login, then from the end of the
// last call, so the agent who just finished waits behind the others.
func TestLongestIdleThroughACD(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 3))
	h.login("1002")
	h.clock.t = h.clock.t.Add(time.Second)
	h.login("1001")
	h.clock.t = h.clock.t.Add(time.Second)
	h.login("1003")
	acts := h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	if got := offeredTo(t, acts); got != "1002" {
		t.Fatalf("first call went to %s, want 1002 (logged in first)", got)
	}
	h.ok(h.acd.OfferAnswered("c1", "1002"))
	h.clock.t = h.clock.t.Add(time.Minute)
	h.ok(h.acd.TalkEnded("c1", "caller"))
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c2", "q", "556", 0))); got != "1001" {
		t.Fatalf("second call went to %s, want 1001", got)
	}
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c3", "q", "557", 0))); got != "1003" {
		t.Fatalf("third call went to %s, want 1003", got)
	}
}
