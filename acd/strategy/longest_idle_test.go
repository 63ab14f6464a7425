package strategy

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
