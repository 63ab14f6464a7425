package strategy

import (
	"slices"
	"testing"
	"time"
)

func TestSkillsBasedPicksBestScore(t *testing.T) {
	s := newSkillsBased()
	cands := candidates(3)
	cands[0].SkillScore = 9
	cands[1].SkillScore = 14
	cands[2].SkillScore = 14
	cands[2].IdleSince = epoch.Add(-time.Minute)
	for _, c := range cands {
		s.Add(c)
	}
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1003"}) {
		t.Fatalf("picked %v, want 1003 (best score, idle longer)", got)
	}
	if got := pickIDs(s, skipIDs("1003", "1002")); !slices.Equal(got, []string{"1001"}) {
		t.Fatalf("picked %v, want 1001", got)
	}
}
