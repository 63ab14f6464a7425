package acd

import (
	"fmt"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/acdconfig"
	"github.com/hotline-oss/hotline/call"
)

// stateTrail lists an agent's AgentStateChanged events as "prev>state(reason)@offset".
func (h *harness) stateTrail(id string) []string {
	var out []string
	for _, e := range h.eventsOf(call.AgentStateChanged) {
		if e.Agent != id {
			continue
		}
		s := e.PrevState + ">" + e.State
		if e.Reason != "" {
			s += "(" + e.Reason + ")"
		}
		out = append(out, fmt.Sprintf("%s@%v", s, e.Time.Sub(epoch)))
	}
	return out
}

func wantTrail(t *testing.T, got []string, want ...string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("state changes:\n got  %v\n want %v", got, want)
	}
}

func TestAgentLifecycleEmitsEveryTransition(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = 30 * time.Second
	h := newHarness(t, team(q, 1))
	step := func() { h.clock.t = h.clock.t.Add(time.Second) }
	h.login("1001")
	step()
	h.ok(h.acd.AgentPause("1001", "lunch"))
	step()
	h.ok(h.acd.AgentPause("1001", "meeting"))
	h.ok(h.acd.AgentPause("1001", "meeting")) // same reason: no change
	step()
	h.ok(h.acd.AgentReady("1001"))
	h.ok(h.acd.AgentReady("1001")) // already available: no-op
	step()
	h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	step()
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	step()
	if err := h.acd.Hold("c1"); err != nil {
		t.Fatal(err)
	}
	step()
	if err := h.acd.Unhold("c1"); err != nil {
		t.Fatal(err)
	}
	step()
	acts := h.ok(h.acd.TalkEnded("c1", call.HangupByAgent))
	wantActions(t, acts, StartWrapup{AgentID: "1001", Until: h.clock.t.Add(30 * time.Second)})
	if d, ok := h.acd.NextDeadline(); !ok || !d.Equal(h.clock.t.Add(30*time.Second)) {
		t.Fatalf("next deadline %v %v", d, ok)
	}
	h.advance(30 * time.Second)
	h.ok(h.acd.AgentLogout("1001"))
	wantTrail(t, h.stateTrail("1001"),
		"logged_out>available@0s",
		"available>paused(lunch)@1s",
		"paused>paused(meeting)@2s",
		"paused>available@3s",
		"available>ringing@4s",
		"ringing>talking@5s",
		"talking>hold@6s",
		"hold>talking@7s",
		"talking>wrapup@8s",
		"wrapup>available@38s",
		"available>logged_out@38s",
	)
	if e := h.lastEvent(call.WrapupEnded); e.CallID != "c1" || e.Agent != "1001" || e.Queue != "q" {
		t.Fatalf("wrapup ended event %+v", e)
	}
}

func TestIllegalAgentCommandsAreRefused(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 2))
	_, err := h.acd.AgentReady("1001")
	wantErr(t, err, ErrInvalidTransition)
	_, err = h.acd.AgentPause("1001", "x")
	wantErr(t, err, ErrInvalidTransition)
	_, err = h.acd.AgentLogout("1001")
	wantErr(t, err, ErrInvalidTransition)
	_, err = h.acd.AgentLogin("9999")
	wantErr(t, err, ErrUnknownAgent)
	h.login("1001")
	_, err = h.acd.AgentLogin("1001")
	wantErr(t, err, ErrInvalidTransition)

	h.ok(h.acd.Enqueue("c1", "q", "", 0)) // rings 1001
	_, err = h.acd.AgentReady("1001")
	wantErr(t, err, ErrInvalidTransition)
	wantErr(t, h.acd.Hold("c1"), ErrNotConnected)
	_, err = h.acd.TalkEnded("c1", call.HangupByCaller)
	wantErr(t, err, ErrNotConnected)
	_, err = h.acd.OfferAnswered("c1", "1002")
	wantErr(t, err, ErrNoOffer)
	_, err = h.acd.OfferFailed("c1", "1001", "sulking")
	wantErr(t, err, ErrBadArgument)
	_, err = h.acd.OfferAnswered("nope", "1001")
	wantErr(t, err, ErrUnknownCall)

	h.ok(h.acd.OfferAnswered("c1", "1001"))
	wantErr(t, h.acd.Unhold("c1"), ErrInvalidTransition)
	wantErr(t, h.acd.Hold("c1"), nil)
	wantErr(t, h.acd.Hold("c1"), ErrInvalidTransition)
	_, err = h.acd.Abandon("c1")
	wantErr(t, err, ErrNotWaiting)
	_, err = h.acd.Enqueue("c1", "q", "", 0)
	wantErr(t, err, ErrDuplicateCall)
	_, err = h.acd.Enqueue("c2", "nowhere", "", 0)
	wantErr(t, err, ErrUnknownQueue)
	h.wantState("1001", Hold)
}

func TestAutoPauseAfterConsecutiveNoAnswers(t *testing.T) {
	q := quietQueue("q")
	q.AutoPauseAfter = 3
	q.RingTimeout = 10 * time.Second
	h := newHarness(t, team(q, 1))
	h.login("1001")
	acts := h.ok(h.acd.Enqueue("c1", "q", "", 0))
	wantActions(t, acts[1:], Offer{CallID: "c1", AgentIDs: []string{"1001"}, Timeout: 10 * time.Second})
	// Two timeouts: the lone agent is rung again each time.
	for i := range 2 {
		acts = h.advance(10 * time.Second)
		wantActions(t, acts,
			CancelOffer{CallID: "c1", AgentID: "1001"},
			Offer{CallID: "c1", AgentIDs: []string{"1001"}, Timeout: 10 * time.Second})
		if n := len(h.eventsOf(call.AgentNoAnswer)); n != i+1 {
			t.Fatalf("%d no-answer events, want %d", n, i+1)
		}
	}
	// The third pauses the agent; the call waits.
	acts = h.advance(10 * time.Second)
	wantActions(t, acts, CancelOffer{CallID: "c1", AgentID: "1001"})
	h.wantState("1001", Paused)
	if info, _ := h.acd.Agent("1001"); info.Reason != ReasonNoAnswer {
		t.Fatalf("pause reason %q", info.Reason)
	}
	if e := h.lastEvent(call.AgentNoAnswer); e.Reason != "timeout" || e.Agent != "1001" || e.CallID != "c1" {
		t.Fatalf("no-answer event %+v", e)
	}
	// Back from the pause the count starts again, and an answer resets it.
	acts = h.ok(h.acd.AgentReady("1001"))
	if offeredTo(t, acts) != "1001" {
		t.Fatal("not offered after ready")
	}
	h.ok(h.acd.OfferFailed("c1", "1001", FailTimeout))
	h.ok(h.acd.OfferFailed("c1", "1001", FailFailed))
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	h.ok(h.acd.TalkEnded("c1", call.HangupByCaller))
	h.ok(h.acd.Enqueue("c2", "q", "", 0))
	h.ok(h.acd.OfferFailed("c2", "1001", FailTimeout))
	h.wantState("1001", Ringing)
}

func TestBusyBackoffSkipsAgent(t *testing.T) {
	q := quietQueue("q")
	q.BusyBackoff = 10 * time.Second
	q.AutoPauseAfter = 3
	h := newHarness(t, team(q, 2))
	h.login("1001", "1002")
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c1", "q", "", 0))); got != "1001" {
		t.Fatalf("offered to %s", got)
	}
	h.clock.t = h.clock.t.Add(time.Second)
	if got := offeredTo(t, h.ok(h.acd.OfferFailed("c1", "1001", FailBusy))); got != "1002" {
		t.Fatalf("after busy offered to %s, want 1002", got)
	}
	h.clock.t = h.clock.t.Add(time.Second)
	wantActions(t, h.ok(h.acd.OfferFailed("c1", "1002", FailDeclined)))
	info, _ := h.acd.Agent("1001")
	if info.State != Available || !info.BackoffUntil.Equal(epoch.Add(11*time.Second)) {
		t.Fatalf("1001: %+v", info)
	}
	if d, _ := h.acd.NextDeadline(); !d.Equal(epoch.Add(11 * time.Second)) {
		t.Fatalf("next deadline %v", d)
	}
	wantActions(t, h.advance(8*time.Second)) // 10 s: both still backing off
	if got := offeredTo(t, h.advance(time.Second)); got != "1001" {
		t.Fatalf("after backoff offered to %s, want 1001", got)
	}
	// Busy does not count towards auto-pause.
	if info, _ := h.acd.Agent("1001"); info.State != Ringing {
		t.Fatalf("1001 %s", info.State)
	}
}

func TestWrapupTimerAndEarlyReady(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = 30 * time.Second
	h := newHarness(t, team(q, 1))
	h.login("1001")
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	h.ok(h.acd.TalkEnded("c1", call.HangupByCaller))
	wantActions(t, h.ok(h.acd.Enqueue("c2", "q", "", 0))[1:]) // waits: agent in wrap-up
	wantActions(t, h.advance(29*time.Second))
	h.wantState("1001", Wrapup)
	if got := offeredTo(t, h.advance(time.Second)); got != "1001" {
		t.Fatal("not offered after wrap-up")
	}
	h.ok(h.acd.OfferAnswered("c2", "1001"))
	h.ok(h.acd.TalkEnded("c2", call.HangupByCaller))
	h.ok(h.acd.Enqueue("c3", "q", "", 0))
	h.clock.t = h.clock.t.Add(5 * time.Second)
	if got := offeredTo(t, h.ok(h.acd.AgentReady("1001"))); got != "1001" {
		t.Fatal("not offered after early ready")
	}
	if _, ok := h.acd.NextDeadline(); !ok {
		t.Fatal("ring timer missing")
	}
	// Ending wrap-up early disarmed its timer: only the ring timer remains.
	if d, _ := h.acd.NextDeadline(); !d.Equal(h.clock.t.Add(acdconfig.DefaultRingTimeout)) {
		t.Fatalf("deadline %v", d)
	}
}

func TestLogoutAndPauseDeferredUntilWrapupEnds(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = 20 * time.Second
	h := newHarness(t, team(q, 2))
	h.login("1001", "1002")
	h.ok(h.acd.Enqueue("c1", "q", "", 0)) // 1001
	h.ok(h.acd.Enqueue("c2", "q", "", 0)) // 1002
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	h.ok(h.acd.OfferAnswered("c2", "1002"))
	wantActions(t, h.ok(h.acd.AgentLogout("1001")))
	wantActions(t, h.ok(h.acd.AgentPause("1002", "training")))
	if info, _ := h.acd.Agent("1001"); info.State != Talking || info.Pending != "logout" {
		t.Fatalf("1001 %+v", info)
	}
	if err := h.acd.Hold("c2"); err != nil {
		t.Fatal(err)
	}
	h.ok(h.acd.TalkEnded("c1", call.HangupByCaller))
	h.ok(h.acd.TalkEnded("c2", call.HangupByCaller))
	h.wantState("1001", Wrapup)
	h.advance(20 * time.Second)
	h.wantState("1001", LoggedOut)
	info, _ := h.acd.Agent("1002")
	if info.State != Paused || info.Reason != "training" || info.Pending != "" {
		t.Fatalf("1002 %+v", info)
	}
	// Ready during a call cancels a deferred logout.
	h.ok(h.acd.AgentReady("1002"))
	h.ok(h.acd.Enqueue("c3", "q", "", 0))
	h.ok(h.acd.OfferAnswered("c3", "1002"))
	h.ok(h.acd.AgentLogout("1002"))
	h.ok(h.acd.AgentReady("1002"))
	h.ok(h.acd.TalkEnded("c3", call.HangupByCaller))
	h.advance(20 * time.Second)
	h.wantState("1002", Available)
}

func TestLogoutOrPauseWhileRingingMovesCallOn(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 3))
	h.login("1001", "1002", "1003")
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	acts := h.ok(h.acd.AgentLogout("1001"))
	wantActions(t, acts,
		CancelOffer{CallID: "c1", AgentID: "1001"},
		Offer{CallID: "c1", AgentIDs: []string{"1002"}, Timeout: acdconfig.DefaultRingTimeout})
	h.wantState("1001", LoggedOut)
	acts = h.ok(h.acd.AgentPause("1002", "coffee"))
	wantActions(t, acts,
		CancelOffer{CallID: "c1", AgentID: "1002"},
		Offer{CallID: "c1", AgentIDs: []string{"1003"}, Timeout: acdconfig.DefaultRingTimeout})
	h.wantState("1002", Paused)
	if n := len(h.eventsOf(call.AgentNoAnswer)); n != 0 {
		t.Fatalf("%d no-answer events; withdrawing is not a no-answer", n)
	}
}

func TestPauseOrLogoutDuringWrapupEndsIt(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = time.Minute
	h := newHarness(t, team(q, 1))
	h.login("1001")
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	h.ok(h.acd.TalkEnded("c1", call.HangupByCaller))
	h.clock.t = h.clock.t.Add(10 * time.Second)
	h.ok(h.acd.AgentPause("1001", "break"))
	h.wantState("1001", Paused)
	if _, ok := h.acd.NextDeadline(); ok {
		t.Fatal("wrap-up timer still armed")
	}
	if s, _ := h.acd.QueueStats("q"); s.AverageHandleTime != 10*time.Second {
		t.Fatalf("handle time %v, want the 10 s of wrap-up", s.AverageHandleTime)
	}
	h.ok(h.acd.AgentReady("1001"))
	h.ok(h.acd.Enqueue("c2", "q", "", 0))
	h.ok(h.acd.OfferAnswered("c2", "1001"))
	h.ok(h.acd.TalkEnded("c2", call.HangupByCaller))
	h.ok(h.acd.AgentLogout("1001"))
	h.wantState("1001", LoggedOut)
}

// A state restored after a restart logs the agent in straight to its
// break: the caller already waiting is not offered to it, not even for a
// moment, and waits for an agent who is really there.
func TestAgentLoginPausedOffersNothing(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	acts := h.ok(h.acd.AgentLoginPaused("1001", "lunch"))
	for _, act := range acts {
		if o, ok := act.(Offer); ok {
			t.Fatalf("offered %v to an agent logged in on a break", o)
		}
	}
	h.wantState("1001", Paused)
	if got := h.lastEvent(call.AgentStateChanged); got.State != "paused" || got.Reason != "lunch" {
		t.Fatalf("last state change %+v, want paused (lunch)", got)
	}
	if n := len(h.eventsOf(call.AgentOffered)); n != 0 {
		t.Fatalf("%d offers, want none", n)
	}
	// Back from the break, the agent gets the waiting caller.
	var offered bool
	for _, act := range h.ok(h.acd.AgentReady("1001")) {
		_, offered = act.(Offer)
		if offered {
			break
		}
	}
	if !offered {
		t.Fatal("the waiting caller was not offered once the agent was ready")
	}
	// Logging in an agent who is already in is refused, as AgentLogin is.
	if _, err := h.acd.AgentLoginPaused("1001", "lunch"); err == nil {
		t.Fatal("AgentLoginPaused of a logged-in agent succeeded")
	}
}
