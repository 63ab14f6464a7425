package strategy

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRandomIsSeededAndFair(t *testing.T) {
	draw := func(seed uint64) []string {
		s := newRandom(rand.New(rand.NewPCG(seed, seed)))
		for _, c := range candidates(4) {
			s.Add(c)
		}
		var got []string
		for range 4000 {
			got = append(got, pickIDs(s, nil)...)
		}
		return got
	}
	a, b := draw(42), draw(42)
	if !slices.Equal(a, b) {
		t.Fatal("same seed gave different picks")
	}
	counts := map[string]int{}
	for _, id := range a {
		counts[id]++
	}
	for _, id := range []string{"1001", "1002", "1003", "1004"} {
		if counts[id] < 800 || counts[id] > 1200 {
			t.Fatalf("agent %s picked %d times of 4000: %v", id, counts[id], counts)
		}
	}
	if slices.Equal(a, draw(43)) {
		t.Fatal("different seeds gave the same picks")
	}
}

func TestRandomSkipsAndRemoves(t *testing.T) {
	s := newRandom(rand.New(rand.NewPCG(1, 9)))
	cands := candidates(5)
	for _, c := range cands {
		s.Add(c)
	}
	s.Remove(cands[0])
	s.Remove(cands[3])
	for range 200 {
		got := pickIDs(s, skipIDs("1002", "1003"))
		if !slices.Equal(got, []string{"1005"}) {
			t.Fatalf("picked %v, want 1005 (the only one left)", got)
		}
	}
}
