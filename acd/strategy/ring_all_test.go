package strategy

import (
	"slices"
	"testing"
)

func TestRingAllPicksEveryone(t *testing.T) {
	s := newRingAll(5)
	cands := candidates(5)
	for _, i := range []int{4, 0, 2} {
		s.Add(cands[i])
	}
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1001", "1003", "1005"}) {
		t.Fatalf("picked %v", got)
	}
	if got := pickIDs(s, skipIDs("1003")); !slices.Equal(got, []string{"1001", "1005"}) {
		t.Fatalf("picked %v", got)
	}
}
