package acd

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/acdconfig"
	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/call"
)

// serveNext has agentID answer the single offer among acts and returns the
// call id.
func (h *harness) serveNext(acts []Action, agentID string) string {
	h.t.Helper()
	os := offers(acts)
	if len(os) != 1 || os[0].AgentIDs[0] != agentID {
		h.t.Fatalf("want an offer to %s, got %+v", agentID, acts)
	}
	id := os[0].CallID
	h.ok(h.acd.OfferAnswered(id, agentID))
	return id
}

func TestPriorityThenArrival(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	arrivals := []struct {
		id       string
		priority int
	}{{"c1", 0}, {"c2", 5}, {"c3", 0}, {"c4", 5}, {"c5", 9}}
	for _, a := range arrivals {
		h.clock.t = h.clock.t.Add(time.Second)
		h.ok(h.acd.Enqueue(a.id, "q", "", a.priority))
	}
	for id, want := range map[string]int{"c5": 1, "c2": 2, "c4": 3, "c1": 4, "c3": 5} {
		if pos, err := h.acd.Position(id); err != nil || pos != want {
			t.Fatalf("position of %s = %d, %v; want %d", id, pos, err, want)
		}
	}
	var served []string
	acts := h.login("1001")
	for range arrivals {
		id := h.serveNext(acts, "1001")
		served = append(served, id)
		acts = h.ok(h.acd.TalkEnded(id, call.HangupByCaller))
	}
	if want := []string{"c5", "c2", "c4", "c1", "c3"}; !slices.Equal(served, want) {
		t.Fatalf("served %v, want %v", served, want)
	}
}

func TestMaxWaitingBlocks(t *testing.T) {
	q := quietQueue("q")
	q.MaxWaiting = 2
	h := newHarness(t, team(q, 1))
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	h.ok(h.acd.Enqueue("c2", "q", "", 0))
	acts := h.ok(h.acd.Enqueue("c3", "q", "555", 0))
	wantActions(t, acts, Blocked{CallID: "c3", Reason: action.ReasonQueueFull})
	e := h.lastEvent(call.CallBlocked)
	if e.CallID != "c3" || e.Queue != "q" || e.Result != call.ResultBlocked || e.Reason != action.ReasonQueueFull {
		t.Fatalf("blocked event %+v", e)
	}
	if _, err := h.acd.Position("c3"); err == nil {
		t.Fatal("blocked call is known")
	}
	// A call ringing an agent still takes a place.
	h.login("1001")
	wantActions(t, h.ok(h.acd.Enqueue("c4", "q", "", 0)), Blocked{CallID: "c4", Reason: action.ReasonQueueFull})
}

func TestMaxWaitOverflows(t *testing.T) {
	q := quietQueue("billing")
	q.MaxWait = time.Minute
	q.OverflowTarget = "queue:complaints"
	cfg := Config{Queues: []QueueConfig{q, quietQueue("complaints")}}
	h := newHarness(t, cfg)
	h.ok(h.acd.Enqueue("c1", "billing", "555", 2))
	h.clock.t = h.clock.t.Add(10 * time.Second)
	h.ok(h.acd.Enqueue("c2", "billing", "556", 0))
	wantActions(t, h.advance(50*time.Second), Overflow{CallID: "c1", Target: "queue:complaints"})
	e := h.lastEvent(call.Overflowed)
	if e.CallID != "c1" || e.Queue != "billing" || e.Target != "queue:complaints" || e.Reason != action.ReasonMaxWait || e.Wait != time.Minute {
		t.Fatalf("overflow event %+v", e)
	}
	_, err := h.acd.Position("c1")
	wantErr(t, err, ErrUnknownCall)
	// The runtime re-enqueues the call where it was sent.
	acts := h.ok(h.acd.Enqueue("c1", "complaints", "555", 2))
	wantActions(t, acts, Queued{CallID: "c1", Queue: "complaints", Position: 1, ExpectedWait: acdconfig.DefaultHandleTime})
	wantActions(t, h.advance(10*time.Second), Overflow{CallID: "c2", Target: "queue:complaints"})
}

func TestMaxWaitWhileRingingWaitsForTheOffer(t *testing.T) {
	q := quietQueue("q")
	q.MaxWait = time.Minute
	q.OverflowTarget = "ivr:sorry"
	q.RingTimeout = 2 * time.Minute
	h := newHarness(t, team(q, 1))
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	h.ok(h.acd.Enqueue("c2", "q", "", 0))
	h.clock.t = h.clock.t.Add(50 * time.Second)
	h.login("1001") // rings for c1
	wantActions(t, h.advance(10*time.Second), Overflow{CallID: "c2", Target: "ivr:sorry"})
	// c1 passed its MaxWait while ringing: it overflows only once the offer fails.
	acts := h.ok(h.acd.OfferFailed("c1", "1001", FailDeclined))
	wantActions(t, acts, Overflow{CallID: "c1", Target: "ivr:sorry"})
	h.wantState("1001", Available)

	// Answered in time, an overdue call just connects.
	h.ok(h.acd.Enqueue("c3", "q", "", 0))
	wantActions(t, h.advance(61*time.Second))
	acts = h.ok(h.acd.OfferAnswered("c3", "1001"))
	wantActions(t, acts, Connect{CallID: "c3", AgentID: "1001", WorkNumber: "2001"})
}

func TestJoinEmpty(t *testing.T) {
	reject := quietQueue("reject")
	reject.JoinEmpty = JoinEmptyReject
	cfg := Config{
		Queues: []QueueConfig{reject, quietQueue("wait")},
		Agents: []AgentConfig{{ID: "1001", Queues: []string{"reject", "wait"}}},
	}
	h := newHarness(t, cfg)
	wantActions(t, h.ok(h.acd.Enqueue("c1", "reject", "", 0)), Rejected{CallID: "c1", Reason: action.ReasonNoAgents})
	acts := h.ok(h.acd.Enqueue("c2", "wait", "", 0))
	if _, ok := acts[0].(Queued); !ok || len(acts) != 1 {
		t.Fatalf("wait queue: %+v", acts)
	}
	// A paused agent is logged in: the caller may wait.
	h.login("1001") // takes c2
	h.ok(h.acd.AgentPause("1001", "break"))
	acts = h.ok(h.acd.Enqueue("c3", "reject", "", 0))
	if _, ok := acts[0].(Queued); !ok {
		t.Fatalf("reject queue with a paused agent: %+v", acts)
	}
}

func TestLeaveWhenEmpty(t *testing.T) {
	q := quietQueue("q")
	q.LeaveWhenEmpty = true
	h := newHarness(t, team(q, 2))
	h.login("1001", "1002")
	h.ok(h.acd.AgentPause("1001", "x"))
	h.ok(h.acd.AgentPause("1002", "x"))
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	h.ok(h.acd.Enqueue("c2", "q", "", 3))
	wantActions(t, h.ok(h.acd.AgentLogout("1001"))) // one agent is still logged in
	acts := h.ok(h.acd.AgentLogout("1002"))
	wantActions(t, acts,
		Leave{CallID: "c2", Reason: action.ReasonNoAgents},
		Leave{CallID: "c1", Reason: action.ReasonNoAgents})
	if e := h.lastEvent(call.Overflowed); e.CallID != "c1" || e.Reason != action.ReasonNoAgents {
		t.Fatalf("event %+v", e)
	}
	if s, _ := h.acd.QueueStats("q"); s.Waiting != 0 {
		t.Fatalf("%d still waiting", s.Waiting)
	}
}

func TestAnnouncementsEveryInterval(t *testing.T) {
	q := quietQueue("q")
	q.AnnounceEvery = 30 * time.Second
	q.RingTimeout = time.Minute
	h := newHarness(t, team(q, 2))
	h.login("1001", "1002")
	h.ok(h.acd.Enqueue("busy1", "q", "", 0))
	h.ok(h.acd.Enqueue("busy2", "q", "", 0))
	h.ok(h.acd.OfferAnswered("busy1", "1001"))
	h.ok(h.acd.OfferAnswered("busy2", "1002"))
	h.clock.t = h.clock.t.Add(10 * time.Second)
	for _, id := range []string{"c1", "c2", "c3"} {
		acts := h.ok(h.acd.Enqueue(id, "q", "", 0))
		pos, _ := h.acd.Position(id)
		// Default handle time 4 min shared by 2 agents: 2 min per place.
		wantActions(t, acts, Queued{CallID: id, Queue: "q", Position: pos, ExpectedWait: time.Duration(pos) * 2 * time.Minute})
	}
	wantActions(t, h.advance(29*time.Second))
	wantActions(t, h.advance(time.Second),
		Announce{CallID: "c1", Position: 1, ExpectedWait: 2 * time.Minute},
		Announce{CallID: "c2", Position: 2, ExpectedWait: 4 * time.Minute},
		Announce{CallID: "c3", Position: 3, ExpectedWait: 6 * time.Minute})
	h.ok(h.acd.Abandon("c1"))
	// A late Tick announces once and keeps the 30 s rhythm.
	wantActions(t, h.advance(45*time.Second),
		Announce{CallID: "c2", Position: 1, ExpectedWait: 2 * time.Minute},
		Announce{CallID: "c3", Position: 2, ExpectedWait: 4 * time.Minute})
	if d, _ := h.acd.NextDeadline(); !d.Equal(epoch.Add(100 * time.Second)) {
		t.Fatalf("next announcement at %v", d.Sub(epoch))
	}
	// A call ringing an agent is not announced. busy1 took 85 s, which
	// is now the average handle time.
	h.ok(h.acd.TalkEnded("busy1", call.HangupByCaller)) // 1001 now rings for c2
	wantActions(t, h.advance(15*time.Second), Announce{CallID: "c3", Position: 2, ExpectedWait: 85 * time.Second})
}

func TestAbandonWhileRingingCancelsOffer(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	h.login("1001")
	h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	h.clock.t = h.clock.t.Add(7 * time.Second)
	acts := h.ok(h.acd.Abandon("c1"))
	wantActions(t, acts, CancelOffer{CallID: "c1", AgentID: "1001"})
	h.wantState("1001", Available)
	e := h.lastEvent(call.Abandoned)
	if e.CallID != "c1" || e.Wait != 7*time.Second || e.Queue != "q" {
		t.Fatalf("abandoned event %+v", e)
	}
	if _, ok := h.acd.NextDeadline(); ok {
		t.Fatal("ring timer still armed")
	}
	_, err := h.acd.OfferAnswered("c1", "1001")
	wantErr(t, err, ErrUnknownCall)
	// A waiting caller can abandon too.
	h.ok(h.acd.AgentPause("1001", "x"))
	h.ok(h.acd.Enqueue("c2", "q", "", 0))
	wantActions(t, h.ok(h.acd.Abandon("c2")))
	_, err = h.acd.Abandon("c2")
	wantErr(t, err, ErrUnknownCall)
}

// An agent serving several queues takes the highest priority call, and among
// equal priorities the one that has waited longest, whatever its queue.
func TestAgentInSeveralQueuesServesMostUrgentCall(t *testing.T) {
	cfg := Config{
		Queues: []QueueConfig{quietQueue("a"), quietQueue("b"), quietQueue("c")},
		Agents: []AgentConfig{{ID: "1001", Queues: []string{"a", "b", "c"}}},
	}
	h := newHarness(t, cfg)
	for _, c := range []struct {
		id, queue string
		priority  int
	}{{"b1", "b", 0}, {"a1", "a", 0}, {"c1", "c", 1}, {"a2", "a", 1}, {"b2", "b", 0}} {
		h.clock.t = h.clock.t.Add(time.Second)
		h.ok(h.acd.Enqueue(c.id, c.queue, "", c.priority))
	}
	var served []string
	acts := h.login("1001")
	for range 5 {
		id := h.serveNext(acts, "1001")
		served = append(served, id)
		acts = h.ok(h.acd.TalkEnded(id, call.HangupByCaller))
	}
	if want := []string{"c1", "a2", "b1", "a1", "b2"}; !slices.Equal(served, want) {
		t.Fatalf("served %v, want %v", served, want)
	}
}

// A call that was not answered goes to the agents that have not tried it
// yet; when all have, the round starts over.
func TestUnansweredCallTriesOtherAgentsFirst(t *testing.T) {
	q := quietQueue("q")
	q.RingTimeout = 5 * time.Second
	h := newHarness(t, team(q, 3))
	h.login("1001", "1002", "1003")
	var rung []string
	acts := h.ok(h.acd.Enqueue("c1", "q", "", 0))
	for range 5 {
		rung = append(rung, offeredTo(t, acts))
		acts = h.advance(5 * time.Second)
	}
	if want := []string{"1001", "1002", "1003", "1001", "1002"}; !slices.Equal(rung, want) {
		t.Fatalf("rung %v, want %v", rung, want)
	}
}

func TestQueueStatsAndHandleTime(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = 30 * time.Second
	h := newHarness(t, team(q, 3))
	h.login("1001", "1002", "1003")
	h.ok(h.acd.AgentPause("1003", "x"))
	// One call: 60 s talk, 20 s hold, 30 s wrap-up = 110 s handle time.
	h.ok(h.acd.Enqueue("c0", "q", "", 0))
	h.ok(h.acd.OfferAnswered("c0", "1001"))
	h.clock.t = h.clock.t.Add(30 * time.Second)
	_ = h.acd.Hold("c0")
	h.clock.t = h.clock.t.Add(20 * time.Second)
	_ = h.acd.Unhold("c0")
	h.clock.t = h.clock.t.Add(30 * time.Second)
	h.ok(h.acd.TalkEnded("c0", call.HangupByCaller))
	h.advance(30 * time.Second)
	// 1002 (idle since login) talks, 1001 rings, then two more callers; the
	// oldest waiting call has the lowest priority.
	h.ok(h.acd.Enqueue("x1", "q", "", 0))
	h.ok(h.acd.Enqueue("x2", "q", "", 0))
	h.ok(h.acd.OfferAnswered("x1", "1002"))
	h.clock.t = h.clock.t.Add(40 * time.Second)
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	h.clock.t = h.clock.t.Add(20 * time.Second)
	h.ok(h.acd.Enqueue("c2", "q", "", 5))
	s, err := h.acd.QueueStats("q")
	if err != nil {
		t.Fatal(err)
	}
	want := QueueStats{
		Name: "q", Waiting: 3, Ringing: 1, OldestWait: 60 * time.Second,
		// Position 4 of a newcomer, 110 s handle time, 2 agents not paused.
		ExpectedWait: 4 * 110 * time.Second / 2, AverageHandleTime: 110 * time.Second,
		ServiceLevel: acdconfig.DefaultServiceLevel, Members: 3, LoggedIn: 3,
		Agents: map[State]int{LoggedOut: 0, Available: 0, Paused: 1, Ringing: 1, Talking: 1, Hold: 0, Wrapup: 0},
	}
	if !equalStats(s, want) {
		t.Fatalf("stats\n got  %+v\n want %+v", s, want)
	}
	if ew, _ := h.acd.ExpectedWait("c1"); ew != 3*110*time.Second/2 {
		t.Fatalf("EWT of c1 %v", ew)
	}
	if ew, _ := h.acd.QueueExpectedWait("q"); ew != want.ExpectedWait {
		t.Fatalf("queue EWT %v", ew)
	}
	if _, err := h.acd.ExpectedWait("x1"); err == nil {
		t.Fatal("EWT of a connected call")
	}
	if all := h.acd.Queues(); len(all) != 1 || !equalStats(all[0], want) {
		t.Fatalf("Queues() %+v", all)
	}
}

func equalStats(a, b QueueStats) bool {
	return reflect.DeepEqual(a, b)
}

func TestCallSnapshots(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	h.clock.t = h.clock.t.Add(10 * time.Second)
	h.ok(h.acd.Enqueue("c2", "q", "556", 1))
	h.clock.t = h.clock.t.Add(5 * time.Second)
	list, err := h.acd.WaitingCalls("q")
	if err != nil {
		t.Fatal(err)
	}
	want := []CallInfo{
		{ID: "c2", Queue: "q", Caller: "556", Priority: 1, Joined: epoch.Add(10 * time.Second), Wait: 5 * time.Second, Position: 1},
		{ID: "c1", Queue: "q", Caller: "555", Joined: epoch, Wait: 15 * time.Second, Position: 2},
	}
	if !reflect.DeepEqual(list, want) {
		t.Fatalf("waiting calls\n got  %+v\n want %+v", list, want)
	}
	h.login("1001") // rings for c2
	if info, _ := h.acd.Call("c2"); !slices.Equal(info.Ringing, []string{"1001"}) || info.Position != 1 {
		t.Fatalf("ringing call %+v", info)
	}
	h.clock.t = h.clock.t.Add(3 * time.Second)
	h.ok(h.acd.OfferAnswered("c2", "1001"))
	h.clock.t = h.clock.t.Add(time.Minute)
	info, _ := h.acd.Call("c2")
	if info.Agent != "1001" || info.Wait != 8*time.Second || info.Position != 0 || len(info.Ringing) != 0 {
		t.Fatalf("connected call %+v", info)
	}
	if _, err := h.acd.Call("zz"); err == nil {
		t.Fatal("unknown call described")
	}
	if _, err := h.acd.WaitingCalls("zz"); err == nil {
		t.Fatal("unknown queue listed")
	}
}
