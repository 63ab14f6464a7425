package acd

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

// Through the ACD: talk time excludes hold, and it ranks agents.
func TestLeastTalkTimeThroughACD(t *testing.T) {
	q := quietQueue("q")
	q.Strategy = StrategyLeastTalkTime
	h := newHarness(t, team(q, 2))
	h.login("1001", "1002")
	// 1001 talks 2 minutes with 5 minutes on hold; 1002 talks 4 minutes.
	acts := h.ok(h.acd.Enqueue("c1", "q", "", 0))
	h.ok(h.acd.OfferAnswered("c1", offeredTo(t, acts)))
	acts = h.ok(h.acd.Enqueue("c2", "q", "", 0))
	h.ok(h.acd.OfferAnswered("c2", offeredTo(t, acts)))
	h.clock.t = h.clock.t.Add(time.Minute)
	if err := h.acd.Hold("c1"); err != nil {
		t.Fatal(err)
	}
	h.clock.t = h.clock.t.Add(5 * time.Minute)
	if err := h.acd.Unhold("c1"); err != nil {
		t.Fatal(err)
	}
	h.clock.t = h.clock.t.Add(time.Minute)
	h.ok(h.acd.TalkEnded("c1", "caller"))
	h.ok(h.acd.TalkEnded("c2", "caller"))
	if info, _ := h.acd.Agent("1001"); info.TalkToday != 2*time.Minute {
		t.Fatalf("1001 talk %v, want 2m", info.TalkToday)
	}
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c3", "q", "", 0))); got != "1001" {
		t.Fatalf("got %s, want 1001 (less talk)", got)
	}
}
