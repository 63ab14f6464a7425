package acd

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/callbacks"
	"github.com/hotline-oss/hotline/call"
)

var testPolicy = CallbackPolicy{MaxAttempts: 2, RetryAfter: time.Minute, GiveUpAfter: time.Hour}

// A callback keeps its place: a caller who arrived later stays behind it.
func TestCallbackKeepsPlace(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	h.ok(h.acd.Enqueue("a", "q", "13800000001", 0))
	h.clock.t = h.clock.t.Add(10 * time.Second)
	h.ok(h.acd.Enqueue("b", "q", "13800000002", 0))
	h.clock.t = h.clock.t.Add(20 * time.Second)
	acts := h.ok(h.acd.RequestCallback("a", "a-cb", "13800000001", testPolicy))
	wantActions(t, acts)
	req := h.lastEvent(call.CallbackRequested)
	if req.CallID != "a" || req.Target != "13800000001" || req.Wait != 30*time.Second {
		t.Fatalf("CallbackRequested = %+v", req)
	}
	if _, err := h.acd.Abandon("a"); err == nil {
		t.Fatal("the old id must be gone from the ACD")
	}
	if n, ok := h.acd.IsCallback("a-cb"); !ok || n != "13800000001" {
		t.Fatalf("IsCallback = %q %v", n, ok)
	}
	if got := h.acd.CallbacksPending()["q"]; got != 1 {
		t.Fatalf("pending = %d, want 1", got)
	}
	acts = h.login("1001")
	if o := offers(acts); len(o) != 1 || o[0].CallID != "a-cb" {
		t.Fatalf("first offer should be the callback, got %+v", acts)
	}
}

// The agent answering the offer is not an answered call: only the
// customer's answer is, with the wait since the original Queued.
func TestCallbackAnsweredCountsWholeWait(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	h.ok(h.acd.Enqueue("a", "q", "13800000001", 0))
	h.clock.t = h.clock.t.Add(90 * time.Second)
	h.ok(h.acd.RequestCallback("a", "a-cb", "13800000001", testPolicy))
	h.clock.t = h.clock.t.Add(30 * time.Second)
	h.login("1001")
	acts := h.ok(h.acd.OfferAnswered("a-cb", "1001"))
	wantActions(t, acts, Connect{CallID: "a-cb", AgentID: "1001", WorkNumber: "2001"})
	if n := len(h.eventsOf(call.AgentAnswered)); n != 0 {
		t.Fatalf("AgentAnswered before the customer answered: %d", n)
	}
	h.wantState("1001", Talking)
	if _, err := h.acd.TalkEnded("zz", call.HangupByAgent); err == nil {
		t.Fatal("unknown call accepted")
	}
	h.clock.t = h.clock.t.Add(5 * time.Second)
	h.ok(h.acd.CallbackAnswered("a-cb"))
	ans := h.lastEvent(call.AgentAnswered)
	if ans.CallID != "a-cb" || ans.Wait != 125*time.Second || ans.Agent != "1001" {
		t.Fatalf("AgentAnswered = %+v", ans)
	}
	if at := h.lastEvent(call.CallbackAttempted); at.Reason != callbacks.Answered {
		t.Fatalf("attempt reason %q", at.Reason)
	}
	h.ok(h.acd.TalkEnded("a-cb", call.HangupByAgent))
	if got := h.acd.CallbacksPending()["q"]; got != 0 {
		t.Fatalf("pending after talk = %d", got)
	}
	if _, err := h.acd.CallbackAnswered("a-cb"); err == nil {
		t.Fatal("second CallbackAnswered accepted")
	}
}

// A busy customer: the agent is free at once, the callback waits
// RetryAfter, is offered again, and gives up after MaxAttempts.
func TestCallbackRetriesThenGivesUp(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = 30 * time.Second // must not apply to an attempt that never connected
	h := newHarness(t, team(q, 1))
	h.login("1001")
	h.ok(h.acd.Enqueue("a", "q", "13800000001", 0))
	acts := h.ok(h.acd.RequestCallback("a", "a-cb", "13800000001", testPolicy))
	// The offer to the ringing agent was withdrawn and the callback offered again.
	if o := offers(acts); len(o) != 1 || o[0].CallID != "a-cb" {
		t.Fatalf("want the callback offered, got %+v", acts)
	}
	h.ok(h.acd.OfferAnswered("a-cb", "1001"))
	acts = h.ok(h.acd.CallbackFailed("a-cb", CallbackBusy))
	wantActions(t, acts)
	h.wantState("1001", Available)
	if acts := h.advance(59 * time.Second); len(offers(acts)) != 0 {
		t.Fatalf("offered before retry_after: %+v", acts)
	}
	acts = h.advance(time.Second)
	if offeredTo(t, acts) != "1001" {
		t.Fatal("retry not offered")
	}
	h.ok(h.acd.OfferAnswered("a-cb", "1001"))
	acts = h.ok(h.acd.CallbackFailed("a-cb", CallbackNoAnswer))
	wantActions(t, acts, Leave{CallID: "a-cb", Reason: callbacks.ReasonGaveUp})
	attempts := h.eventsOf(call.CallbackAttempted)
	var reasons []string
	for _, e := range attempts {
		reasons = append(reasons, e.Reason)
	}
	if len(reasons) != 3 || reasons[0] != CallbackBusy || reasons[1] != CallbackNoAnswer || reasons[2] != callbacks.GaveUp {
		t.Fatalf("attempt reasons %v", reasons)
	}
	ab := h.lastEvent(call.Abandoned)
	if ab.CallID != "a-cb" || ab.Reason != callbacks.ReasonGaveUp || ab.Wait != time.Minute {
		t.Fatalf("Abandoned = %+v", ab)
	}
	h.wantState("1001", Available)
	if _, ok := h.acd.IsCallback("a-cb"); ok {
		t.Fatal("callback still pending")
	}
}

// With nobody to take it, a callback gives up at GiveUpAfter and does not
// leave with the last agent.
func TestCallbackGivesUpOnTime(t *testing.T) {
	q := quietQueue("q")
	q.LeaveWhenEmpty = true
	h := newHarness(t, team(q, 1))
	h.login("1001")
	h.ok(h.acd.AgentPause("1001", "lunch"))
	h.ok(h.acd.Enqueue("a", "q", "1", 0))
	h.ok(h.acd.RequestCallback("a", "a-cb", "13800000001", testPolicy))
	h.ok(h.acd.AgentLogout("1001"))
	if _, ok := h.acd.IsCallback("a-cb"); !ok {
		t.Fatal("callback left with the last agent")
	}
	h.advance(time.Hour - time.Second)
	if _, ok := h.acd.IsCallback("a-cb"); !ok {
		t.Fatal("gave up early")
	}
	acts := h.advance(time.Second)
	wantActions(t, acts, Leave{CallID: "a-cb", Reason: callbacks.ReasonGaveUp})
}

// The agent hanging up before the customer answered is no attempt; a
// pause asked for meanwhile applies when the agent is released.
func TestCallbackAgentLeftAndBadInput(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	h.login("1001")
	h.ok(h.acd.Enqueue("a", "q", "1", 0))
	_, err := h.acd.RequestCallback("a", "a-cb", "", testPolicy)
	wantErr(t, err, ErrBadArgument)
	_, err = h.acd.RequestCallback("nope", "n-cb", "1", testPolicy)
	wantErr(t, err, ErrUnknownCall)
	h.ok(h.acd.OfferAnswered("a", "1001"))
	_, err = h.acd.RequestCallback("a", "a-cb", "1", testPolicy)
	wantErr(t, err, ErrNotWaiting)
	h.ok(h.acd.TalkEnded("a", call.HangupByAgent))

	h.ok(h.acd.Enqueue("b", "q", "2", 0))
	h.ok(h.acd.RequestCallback("b", "b-cb", "2", CallbackPolicy{MaxAttempts: 1, RetryAfter: time.Second, GiveUpAfter: time.Hour}))
	h.ok(h.acd.OfferAnswered("b-cb", "1001"))
	_, err = h.acd.CallbackFailed("b-cb", "weird")
	wantErr(t, err, ErrBadArgument)
	h.ok(h.acd.AgentPause("1001", "break"))
	h.ok(h.acd.CallbackFailed("b-cb", CallbackAgentLeft))
	h.wantState("1001", Paused)
	if _, ok := h.acd.IsCallback("b-cb"); !ok {
		t.Fatal("agent_hangup must not use up the only attempt")
	}
}

// Restored callbacks go back in arrival order, ahead of later callers, and
// keep their used attempts and give-up time.
func TestRestoreCallback(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	h.ok(h.acd.Enqueue("new", "q", "13800000009", 0))
	early := RestoredCallback{CallbackID: "a-cb", Queue: "q", Caller: "1", Number: "13800000001",
		Queued: epoch.Add(-10 * time.Minute), GiveUpAt: epoch.Add(time.Hour), Attempts: 1}
	h.ok(h.acd.RestoreCallback(early, testPolicy))
	if st, ok := h.acd.CallbackState("a-cb"); !ok || st != early {
		t.Fatalf("state %+v, want %+v", st, early)
	}
	acts := h.login("1001")
	if o := offers(acts); len(o) != 1 || o[0].CallID != "new" {
		// Restored after "new" joined: behind it. Restore before taking calls.
		t.Fatalf("offers %+v", acts)
	}
	h.ok(h.acd.OfferAnswered("new", "1001"))
	h.ok(h.acd.TalkEnded("new", call.HangupByAgent))
	h.ok(h.acd.OfferAnswered("a-cb", "1001"))
	h.clock.t = h.clock.t.Add(time.Minute)
	h.ok(h.acd.CallbackAnswered("a-cb"))
	if w := h.lastEvent(call.AgentAnswered).Wait; w != 11*time.Minute {
		t.Fatalf("wait %s, want 11m from the original queueing", w)
	}

	spent := early
	spent.CallbackID, spent.Attempts = "b-cb", 2
	acts = h.ok(h.acd.RestoreCallback(spent, testPolicy))
	wantActions(t, acts, Leave{CallID: "b-cb", Reason: callbacks.ReasonGaveUp})
	late := early
	late.CallbackID, late.GiveUpAt = "c-cb", h.clock.t
	acts = h.ok(h.acd.RestoreCallback(late, testPolicy))
	wantActions(t, acts, Leave{CallID: "c-cb", Reason: callbacks.ReasonGaveUp})
	_, err := h.acd.RestoreCallback(RestoredCallback{CallbackID: "d-cb", Queue: "nope", Number: "1", GiveUpAt: h.clock.t.Add(time.Hour)}, testPolicy)
	wantErr(t, err, ErrUnknownQueue)
}
