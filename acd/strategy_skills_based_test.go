package acd

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

// Through the ACD: agents lacking a required skill, or below its level,
// never get the queue's calls; the rest are ranked by summed levels.
func TestSkillsBasedFiltersAndRanks(t *testing.T) {
	q := quietQueue("meters")
	q.Strategy = StrategySkillsBased
	q.RequiredSkills = map[string]int{"meters": 3, "billing": 2}
	cfg := Config{Queues: []QueueConfig{q}, Agents: []AgentConfig{
		{ID: "1001", Skills: map[string]int{"meters": 10}, Queues: []string{"meters"}},              // lacks billing
		{ID: "1002", Skills: map[string]int{"meters": 2, "billing": 9}, Queues: []string{"meters"}}, // meters too low
		{ID: "1003", Skills: map[string]int{"meters": 4, "billing": 2}, Queues: []string{"meters"}}, // 6
		{ID: "1004", Skills: map[string]int{"meters": 5, "billing": 5}, Queues: []string{"meters"}}, // 10
	}}
	h := newHarness(t, cfg)
	h.login("1001", "1002", "1003", "1004")
	stats, _ := h.acd.QueueStats("meters")
	if stats.Members != 2 {
		t.Fatalf("members %d, want 2", stats.Members)
	}
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c1", "meters", "", 0))); got != "1004" {
		t.Fatalf("got %s, want 1004", got)
	}
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c2", "meters", "", 0))); got != "1003" {
		t.Fatalf("got %s, want 1003", got)
	}
	acts := h.ok(h.acd.Enqueue("c3", "meters", "", 0))
	if len(offers(acts)) != 0 {
		t.Fatalf("unskilled agents were offered a call: %+v", acts)
	}
}
