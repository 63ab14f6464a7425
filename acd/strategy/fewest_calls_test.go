package strategy

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
