package acd

import (
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/call"
)

// One test per strategy through the whole ACD; the strategies themselves
// are tested in package strategy.

// Through the ACD: answered calls count, and the count starts over at
// midnight on the ACD's clock or on ResetDailyCounters.
func TestFewestCallsCountsTodayOnly(t *testing.T) {
	q := quietQueue("q")
	q.Strategy = strategy.FewestCalls
	h := newHarness(t, team(q, 2))
	h.login("1001")
	h.clock.t = h.clock.t.Add(time.Second)
	h.login("1002")
	serve := func(id string) string {
		agent := offeredTo(t, h.ok(h.acd.Enqueue(id, "q", "", 0)))
		h.ok(h.acd.OfferAnswered(id, agent))
		h.clock.t = h.clock.t.Add(time.Minute)
		h.ok(h.acd.TalkEnded(id, "caller"))
		return agent
	}
	// 1001 takes the first (idle longer); then 1002 has fewer calls.
	if got := []string{serve("c1"), serve("c2"), serve("c3")}; !slices.Equal(got, []string{"1001", "1002", "1001"}) {
		t.Fatalf("agents %v", got)
	}
	if info, _ := h.acd.Agent("1001"); info.CallsToday != 2 {
		t.Fatalf("1001 answered %d today, want 2", info.CallsToday)
	}
	h.clock.t = time.Date(2026, 3, 3, 0, 0, 1, 0, time.UTC)
	if info, _ := h.acd.Agent("1001"); info.CallsToday != 0 {
		t.Fatalf("after midnight 1001 has %d calls, want 0", info.CallsToday)
	}
	// Counts equal again: longest idle (1002 ended c2 first) wins.
	if got := serve("c4"); got != "1002" {
		t.Fatalf("after midnight got %s, want 1002", got)
	}
	h.acd.ResetDailyCounters()
	if info, _ := h.acd.Agent("1002"); info.CallsToday != 0 {
		t.Fatalf("after reset 1002 has %d calls", info.CallsToday)
	}
}

// Through the ACD: talk time excludes hold, and it ranks agents.
func TestLeastTalkTimeThroughACD(t *testing.T) {
	q := quietQueue("q")
	q.Strategy = strategy.LeastTalkTime
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

// Through the ACD: idle time counts from login, then from the end of the
// last call, so the agent who just finished waits behind the others.
func TestLongestIdleThroughACD(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 3))
	h.login("1002")
	h.clock.t = h.clock.t.Add(time.Second)
	h.login("1001")
	h.clock.t = h.clock.t.Add(time.Second)
	h.login("1003")
	acts := h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	if got := offeredTo(t, acts); got != "1002" {
		t.Fatalf("first call went to %s, want 1002 (logged in first)", got)
	}
	h.ok(h.acd.OfferAnswered("c1", "1002"))
	h.clock.t = h.clock.t.Add(time.Minute)
	h.ok(h.acd.TalkEnded("c1", "caller"))
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c2", "q", "556", 0))); got != "1001" {
		t.Fatalf("second call went to %s, want 1001", got)
	}
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c3", "q", "557", 0))); got != "1003" {
		t.Fatalf("third call went to %s, want 1003", got)
	}
}

// Through the ACD: one Offer rings all; the first answer cancels the rest.
func TestRingAllFirstAnswerWins(t *testing.T) {
	q := quietQueue("q")
	q.Strategy = strategy.RingAll
	h := newHarness(t, team(q, 3))
	h.login("1001", "1002", "1003")
	acts := h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	os := offers(acts)
	if len(os) != 1 || !slices.Equal(os[0].AgentIDs, []string{"1001", "1002", "1003"}) {
		t.Fatalf("offers %+v", os)
	}
	// One leg fails: the others keep ringing.
	acts = h.ok(h.acd.OfferFailed("c1", "1003", FailDeclined))
	wantActions(t, acts)
	acts = h.ok(h.acd.OfferAnswered("c1", "1002"))
	wantActions(t, acts,
		CancelOffer{CallID: "c1", AgentID: "1001"},
		Connect{CallID: "c1", AgentID: "1002", WorkNumber: "2002"},
	)
	h.wantState("1001", Available)
	h.wantState("1002", Talking)
	var reason string
	for _, e := range h.eventsOf(call.AgentStateChanged) {
		if e.Agent == "1001" && e.PrevState == "ringing" {
			reason = e.Reason
		}
	}
	if reason != action.ReasonAnsweredElsewhere {
		t.Fatalf("1001 left ringing with reason %q", reason)
	}
	_, err := h.acd.OfferAnswered("c1", "1001")
	wantErr(t, err, ErrNoOffer)
}

// Each queue keeps its own cursor.
func TestRoundRobinCursorPerQueue(t *testing.T) {
	a, b := quietQueue("a"), quietQueue("b")
	a.Strategy, b.Strategy = strategy.RoundRobin, strategy.RoundRobin
	cfg := Config{Queues: []QueueConfig{a, b}, Agents: []AgentConfig{
		{ID: "1001", Queues: []string{"a", "b"}},
		{ID: "1002", Queues: []string{"a", "b"}},
	}}
	h := newHarness(t, cfg)
	h.login("1001", "1002")
	serve := func(id, q string) string {
		acts := h.ok(h.acd.Enqueue(id, q, "", 0))
		agent := offeredTo(t, acts)
		h.ok(h.acd.OfferAnswered(id, agent))
		h.ok(h.acd.TalkEnded(id, "caller"))
		return agent
	}
	got := []string{serve("c1", "a"), serve("c2", "a"), serve("c3", "b"), serve("c4", "a")}
	if want := []string{"1001", "1002", "1001", "1001"}; !slices.Equal(got, want) {
		t.Fatalf("agents %v, want %v", got, want)
	}
}

// Through the ACD: agents lacking a required skill, or below its level,
// never get the queue's calls; the rest are ranked by summed levels.
func TestSkillsBasedFiltersAndRanks(t *testing.T) {
	q := quietQueue("meters")
	q.Strategy = strategy.SkillsBased
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
