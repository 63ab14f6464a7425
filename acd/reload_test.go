package acd

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/call"
)

// checkCounts verifies the bookkeeping a reload rebuilds: every queue's
// per-state counts match its members, and each strategy holds exactly the
// members that are available and not backing off.
func checkCounts(t *testing.T, a *ACD) {
	t.Helper()
	for _, q := range a.roster.Queues {
		var want [agentstate.NumStates]int
		routable := 0
		for _, ag := range q.Members {
			want[ag.State]++
			if ag.Routable {
				routable++
			}
		}
		if want != q.Count {
			t.Fatalf("queue %s counts %v, members say %v", q.Cfg.Name, q.Count, want)
		}
		if q.Strategy.Len() != routable {
			t.Fatalf("queue %s strategy holds %d, %d members routable", q.Cfg.Name, q.Strategy.Len(), routable)
		}
	}
}

func queueNames(a *ACD) []string {
	var out []string
	for _, q := range a.Queues() {
		out = append(out, q.Name)
	}
	return out
}

func TestReloadAddsQueueAndAgentKeepingState(t *testing.T) {
	cfg := team(quietQueue("q1"), 1)
	h := newHarness(t, cfg)
	h.login("1001")
	id := h.serveNext(h.ok(h.acd.Enqueue("c1", "q1", "", 0)), "1001")
	h.ok(h.acd.TalkEnded(id, call.HangupByCaller))
	before, _ := h.acd.Agent("1001")

	h.clock.t = h.clock.t.Add(time.Minute)
	cfg.Queues = append(cfg.Queues, quietQueue("q2"))
	cfg.Agents = append(cfg.Agents, AgentConfig{ID: "1002", Name: "new", Queues: []string{"q2"}})
	h.ok(h.acd.Reload(cfg))
	checkCounts(t, h.acd)

	after, _ := h.acd.Agent("1001")
	if after.State != Available || !after.Since.Equal(before.Since) || after.CallsToday != 1 {
		t.Fatalf("1001 after reload: %+v, before %+v", after, before)
	}
	if got := queueNames(h.acd); !slices.Equal(got, []string{"q1", "q2"}) {
		t.Fatalf("queues %v", got)
	}
	h.wantState("1002", LoggedOut)
	h.ok(h.acd.Enqueue("c2", "q2", "", 0))
	if got := offeredTo(t, h.login("1002")); got != "1002" {
		t.Fatalf("offered to %s", got)
	}
}

func TestReloadRemovedQueueDrainsThroughFormerMembers(t *testing.T) {
	cfg := Config{
		Queues: []QueueConfig{quietQueue("q1"), quietQueue("q2")},
		Agents: []AgentConfig{{ID: "1001", Queues: []string{"q1", "q2"}}},
	}
	h := newHarness(t, cfg)
	h.login("1001")
	talking := h.serveNext(h.ok(h.acd.Enqueue("c1", "q1", "", 0)), "1001")
	h.ok(h.acd.Enqueue("c2", "q2", "", 0))

	cfg.Queues = cfg.Queues[:1]
	cfg.Agents[0].Queues = []string{"q1"}
	h.ok(h.acd.Reload(cfg))
	checkCounts(t, h.acd)
	_, err := h.acd.Enqueue("c3", "q2", "", 0)
	wantErr(t, err, ErrUnknownQueue)
	if got := queueNames(h.acd); !slices.Equal(got, []string{"q1", "q2"}) {
		t.Fatalf("draining queue should still show: %v", got)
	}
	// The agent finishes its call and takes the waiting caller of the
	// removed queue, which is then forgotten.
	acts := h.ok(h.acd.TalkEnded(talking, call.HangupByCaller))
	h.serveNext(acts, "1001")
	checkCounts(t, h.acd)
	if got := queueNames(h.acd); !slices.Equal(got, []string{"q1"}) {
		t.Fatalf("queues after draining: %v", got)
	}
	if info, _ := h.acd.Agent("1001"); !slices.Equal(info.Queues, []string{"q1"}) {
		t.Fatalf("1001 still serves %v", info.Queues)
	}
}

func TestReloadRemovedQueueWithNobodyOverflows(t *testing.T) {
	q2 := quietQueue("q2")
	q2.OverflowTarget = "ivr:after_hours"
	cfg := Config{
		Queues: []QueueConfig{quietQueue("q1"), q2, quietQueue("q3")},
		Agents: []AgentConfig{{ID: "1001", Queues: []string{"q1"}}},
	}
	h := newHarness(t, cfg)
	h.ok(h.acd.Enqueue("c1", "q2", "", 0))
	h.ok(h.acd.Enqueue("c2", "q3", "", 0))
	cfg.Queues = cfg.Queues[:1]
	acts := h.ok(h.acd.Reload(cfg))
	wantActions(t, acts,
		Overflow{CallID: "c1", Target: "ivr:after_hours"},
		Leave{CallID: "c2", Reason: action.ReasonQueueRemoved})
	if e := h.lastEvent(call.Overflowed); e.CallID != "c2" || e.Reason != action.ReasonQueueRemoved {
		t.Fatalf("overflowed event %+v", e)
	}
	if got := queueNames(h.acd); !slices.Equal(got, []string{"q1"}) {
		t.Fatalf("queues %v", got)
	}
	if _, err := h.acd.Call("c1"); err == nil {
		t.Fatal("c1 still in the ACD")
	}
}

func TestReloadAgentRemovedWhileTalking(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = 10 * time.Second
	cfg := team(q, 2)
	h := newHarness(t, cfg)
	h.login("1001")
	id := h.serveNext(h.ok(h.acd.Enqueue("c1", "q", "", 0)), "1001")
	h.login("1002")

	cfg.Agents = cfg.Agents[1:]
	h.ok(h.acd.Reload(cfg))
	checkCounts(t, h.acd)
	if _, err := h.acd.Agent("1001"); err == nil {
		t.Fatal("a removed agent still takes commands")
	}
	if _, err := h.acd.AgentReady("1001"); err == nil {
		t.Fatal("a removed agent could cancel its logout")
	}
	agents := h.acd.Agents()
	if len(agents) != 2 || agents[1].ID != "1001" || agents[1].State != Talking || agents[1].Pending != "logout" {
		t.Fatalf("agents while the removed one talks: %+v", agents)
	}
	// A new caller goes to the remaining agent, not the removed one.
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c2", "q", "", 0))); got != "1002" {
		t.Fatalf("offered to %s", got)
	}
	h.ok(h.acd.TalkEnded(id, call.HangupByAgent))
	h.advance(10 * time.Second)
	if e := h.lastEvent(call.AgentStateChanged); e.Agent != "1001" || e.State != "logged_out" {
		t.Fatalf("last state change %+v", e)
	}
	if agents := h.acd.Agents(); len(agents) != 1 || agents[0].ID != "1002" {
		t.Fatalf("agents after the call: %+v", agents)
	}
	checkCounts(t, h.acd)
}

func TestReloadRemovedIdleAndRingingAgents(t *testing.T) {
	q := quietQueue("q")
	q.Strategy = strategy.RingAll
	cfg := team(q, 3)
	h := newHarness(t, cfg)
	h.login("1001", "1002")
	h.ok(h.acd.Enqueue("c1", "q", "", 0)) // rings 1001 and 1002
	h.ok(h.acd.AgentLogin("1003"))
	h.ok(h.acd.AgentPause("1003", "lunch"))

	cfg.Agents = cfg.Agents[:1]
	acts := h.ok(h.acd.Reload(cfg))
	wantActions(t, acts, CancelOffer{CallID: "c1", AgentID: "1002"})
	if agents := h.acd.Agents(); len(agents) != 1 {
		t.Fatalf("agents %+v", agents)
	}
	for _, id := range []string{"1002", "1003"} {
		found := false
		for _, e := range h.eventsOf(call.AgentStateChanged) {
			found = found || (e.Agent == id && e.State == "logged_out")
		}
		if !found {
			t.Fatalf("agent %s was not logged out", id)
		}
	}
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	checkCounts(t, h.acd)
}

func TestReloadSkillsChangeNextRouting(t *testing.T) {
	q := quietQueue("billing")
	q.Strategy = strategy.SkillsBased
	q.RequiredSkills = map[string]int{"billing": 5}
	cfg := Config{Queues: []QueueConfig{q}, Agents: []AgentConfig{
		{ID: "1001", Skills: map[string]int{"billing": 3}, Queues: []string{"billing"}},
		{ID: "1002", Skills: map[string]int{"billing": 6}, Queues: []string{"billing"}},
	}}
	h := newHarness(t, cfg)
	h.login("1001", "1002")
	if info, _ := h.acd.Agent("1001"); len(info.Queues) != 0 {
		t.Fatalf("1001 should not qualify yet: %v", info.Queues)
	}
	cfg.Agents[0].Skills = map[string]int{"billing": 9}
	h.ok(h.acd.Reload(cfg))
	checkCounts(t, h.acd)
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c1", "billing", "", 0))); got != "1001" {
		t.Fatalf("skills-based picked %s, want the newly qualified 1001", got)
	}
}

func TestReloadStrategyChange(t *testing.T) {
	cfg := team(quietQueue("q"), 2)
	h := newHarness(t, cfg)
	h.login("1001")
	h.clock.t = h.clock.t.Add(time.Second)
	h.login("1002")
	// Longest idle: 1001 twice (it is idle longest again after each call).
	for _, id := range []string{"c1", "c2"} {
		h.clock.t = h.clock.t.Add(time.Second)
		acts := h.ok(h.acd.Enqueue(id, "q", "", 0))
		got := offeredTo(t, acts)
		h.ok(h.acd.OfferAnswered(id, got))
		h.ok(h.acd.TalkEnded(id, call.HangupByCaller))
		if id == "c1" && got != "1001" {
			t.Fatalf("longest-idle picked %s", got)
		}
	}
	cfg.Queues[0].Strategy = strategy.FewestCalls
	h.ok(h.acd.Reload(cfg))
	checkCounts(t, h.acd)
	calls := map[string]int{}
	for _, a := range h.acd.Agents() {
		calls[a.ID] = a.CallsToday
	}
	h.clock.t = h.clock.t.Add(time.Second)
	got := offeredTo(t, h.ok(h.acd.Enqueue("c3", "q", "", 0)))
	if calls[got] > calls[otherAgent(got)] {
		t.Fatalf("fewest-calls picked %s with %v calls today", got, calls)
	}
	if calls["1001"]+calls["1002"] != 2 {
		t.Fatalf("calls today lost by the reload: %v", calls)
	}
}

func otherAgent(id string) string {
	if id == "1001" {
		return "1002"
	}
	return "1001"
}

func TestReloadAppliesMaxWaitToWaitingCallers(t *testing.T) {
	cfg := Config{Queues: []QueueConfig{quietQueue("q"), quietQueue("spill")}}
	h := newHarness(t, cfg)
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	h.clock.t = h.clock.t.Add(40 * time.Second)
	h.ok(h.acd.Enqueue("c2", "q", "", 0))
	cfg.Queues[0].MaxWait = 30 * time.Second
	cfg.Queues[0].OverflowTarget = "queue:spill"
	h.ok(h.acd.Reload(cfg))
	// c1 waited 40 s already: it overflows at the next tick; c2 after 30 s.
	wantActions(t, h.advance(0), Overflow{CallID: "c1", Target: "queue:spill"})
	wantActions(t, h.advance(29*time.Second))
	wantActions(t, h.advance(time.Second), Overflow{CallID: "c2", Target: "queue:spill"})
}

func TestReloadInvalidChangesNothing(t *testing.T) {
	cfg := team(quietQueue("q"), 1)
	h := newHarness(t, cfg)
	h.login("1001")
	bad := Config{Queues: []QueueConfig{{Name: "q", Strategy: "telepathy"}},
		Agents: []AgentConfig{{ID: "1001", Queues: []string{"nowhere"}}}}
	_, err := h.acd.Reload(bad)
	wantErr(t, err, ErrInvalidConfig)
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c1", "q", "", 0))); got != "1001" {
		t.Fatalf("offered to %s", got)
	}
	checkCounts(t, h.acd)
}

func TestReloadRevivesRemovedAgentAndQueue(t *testing.T) {
	cfg := Config{
		Queues: []QueueConfig{quietQueue("q1"), quietQueue("q2")},
		Agents: []AgentConfig{{ID: "1001", Queues: []string{"q1", "q2"}}, {ID: "1002", Queues: []string{"q1"}}},
	}
	h := newHarness(t, cfg)
	h.login("1001", "1002")
	id := h.serveNext(h.ok(h.acd.Enqueue("c1", "q1", "", 0)), "1001")
	h.ok(h.acd.Enqueue("c2", "q2", "", 0))
	// q2 drains through 1001 (still talking); then both come back.
	h.ok(h.acd.Reload(Config{Queues: cfg.Queues[:1], Agents: []AgentConfig{{ID: "1001", Queues: []string{"q1"}}}}))
	h.ok(h.acd.Reload(cfg))
	checkCounts(t, h.acd)
	if w, err := h.acd.WaitingCalls("q2"); err != nil || len(w) != 1 || w[0].ID != "c2" {
		t.Fatalf("revived q2 waiting: %+v, %v", w, err)
	}
	h.wantState("1002", LoggedOut) // logged out when removed, fresh when added again
	// 1001 removed while talking, then added back before the call ends:
	// its logout is called off.
	h.ok(h.acd.Reload(Config{Queues: cfg.Queues, Agents: cfg.Agents[1:]}))
	h.ok(h.acd.Reload(cfg))
	info, err := h.acd.Agent("1001")
	if err != nil || info.State != Talking || info.Pending != "" {
		t.Fatalf("revived agent: %+v, %v", info, err)
	}
	h.serveNext(h.ok(h.acd.TalkEnded(id, call.HangupByCaller)), "1001")
	checkCounts(t, h.acd)
}

// BenchmarkReload times a reload of the busy centre of BenchmarkRoute
// (2 000 agents, six queues, 10 000 waiting callers) with one agent's
// skills changed: every membership and strategy is rebuilt and every
// waiting caller's timers re-armed.
func BenchmarkReload(b *testing.B) {
	s := newBenchState(b, strategy.LongestIdle, defaultBenchSize)
	cfg := benchConfig(rand.New(rand.NewPCG(11, 12)), strategy.LongestIdle, benchAgents)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		cfg.Agents[i%len(cfg.Agents)].Skills = map[string]int{"s0": 1 + i%10, "s1": 5, "s2": 5, "s3": 5, "s4": 5}
		if _, err := s.h.acd.Reload(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
