package strategy

import (
	"math/rand/v2"
	"testing"
)

func TestNewStrategyKnowsEveryName(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, name := range Names {
		s, err := New(name, 4, rng)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Name() != name {
			t.Fatalf("NewStrategy(%q).Name() = %q", name, s.Name())
		}
		if got := s.Pick(nil, nil); len(got) != 0 {
			t.Fatalf("%s: empty strategy picked %v", name, got)
		}
	}
	if s, err := New("", 1, nil); err != nil || s.Name() != LongestIdle {
		t.Fatalf("empty name: %v %v", s, err)
	}
	_, err := New("loudest", 1, rng)
	wantErr(t, err, ErrBadArgument)
	_, err = New(Random, 1, nil)
	wantErr(t, err, ErrBadArgument)
}

// Every strategy holds exactly what was added and not removed, whatever the
// order of adds and removes.
func TestStrategiesTrackMembership(t *testing.T) {
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 7))
			s, _ := New(name, 40, rng)
			cands := candidates(40)
			held := map[string]bool{}
			for step := range 2000 {
				c := cands[rng.IntN(len(cands))]
				if held[c.AgentID] {
					s.Remove(c)
					delete(held, c.AgentID)
				} else {
					s.Add(c)
					held[c.AgentID] = true
				}
				if s.Len() != len(held) {
					t.Fatalf("step %d: Len %d, want %d", step, s.Len(), len(held))
				}
				for _, p := range s.Pick(nil, nil) {
					if !held[p.AgentID] {
						t.Fatalf("step %d: picked %s which is not held", step, p.AgentID)
					}
				}
				if len(held) > 0 && len(s.Pick(nil, nil)) == 0 {
					t.Fatalf("step %d: nothing picked from %d held", step, len(held))
				}
			}
		})
	}
}

// A skip function that rejects everyone leaves nothing to pick.
func TestStrategiesHonourSkipAll(t *testing.T) {
	for _, name := range Names {
		s, _ := New(name, 5, rand.New(rand.NewPCG(3, 3)))
		for _, c := range candidates(5) {
			s.Add(c)
		}
		if got := s.Pick(nil, func(*Candidate) bool { return true }); len(got) != 0 {
			t.Fatalf("%s: picked %v although all are skipped", name, got)
		}
	}
}
