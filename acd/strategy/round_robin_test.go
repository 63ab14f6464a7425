package strategy

import (
	"slices"
	"testing"
)

func TestRoundRobinFollowsCursor(t *testing.T) {
	s := newRoundRobin(4)
	cands := candidates(4)
	for _, c := range cands {
		s.Add(c)
	}
	var got []string
	for range 6 {
		got = append(got, pickIDs(s, nil)...)
	}
	if want := []string{"1001", "1002", "1003", "1004", "1001", "1002"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	// 1003 is away: the cursor (after 1002) moves on to 1004.
	s.Remove(cands[2])
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1004"}) {
		t.Fatalf("picked %v, want 1004", got)
	}
	// Skipped agents are passed over and the lap wraps round.
	if got := pickIDs(s, skipIDs("1001")); !slices.Equal(got, []string{"1002"}) {
		t.Fatalf("picked %v, want 1002", got)
	}
	// A skipped pick does not move the cursor.
	if got := pickIDs(s, skipIDs("1001", "1002", "1004")); len(got) != 0 {
		t.Fatalf("picked %v, want nobody", got)
	}
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1004"}) {
		t.Fatalf("picked %v, want 1004", got)
	}
}

func TestRoundRobinGrowsPastConstructionSize(t *testing.T) {
	s := newRoundRobin(1)
	cands := candidates(70)
	s.Add(cands[69])
	s.Add(cands[3])
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1004"}) {
		t.Fatalf("picked %v, want 1004", got)
	}
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1070"}) {
		t.Fatalf("picked %v, want 1070", got)
	}
}
