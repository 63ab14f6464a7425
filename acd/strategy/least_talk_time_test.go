package strategy

import (
	"slices"
	"testing"
	"time"
)

func TestLeastTalkTimePicksLeastTalk(t *testing.T) {
	s := newLeastTalkTime()
	cands := candidates(3)
	cands[0].TalkToday = 10 * time.Minute
	cands[1].TalkToday = 3 * time.Minute
	cands[2].TalkToday = 3 * time.Minute
	cands[1].IdleSince = epoch.Add(time.Minute)
	for _, c := range cands {
		s.Add(c)
	}
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1003"}) {
		t.Fatalf("picked %v, want 1003 (least talk, idle longer than 1002)", got)
	}
}
