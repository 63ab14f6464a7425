package acd

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/call"
)

func TestConnectAnnouncesAgentAndReportsWait(t *testing.T) {
	q := quietQueue("q")
	q.AnnounceAgent = true
	h := newHarness(t, team(q, 1))
	h.ok(h.acd.Enqueue("c1", "q", "555", 4))
	h.clock.t = h.clock.t.Add(42 * time.Second)
	h.login("1001")
	h.clock.t = h.clock.t.Add(3 * time.Second)
	acts := h.ok(h.acd.OfferAnswered("c1", "1001"))
	wantActions(t, acts, Connect{CallID: "c1", AgentID: "1001", WorkNumber: "2001", AnnounceAgent: true})
	e := h.lastEvent(call.AgentAnswered)
	if e.Wait != 45*time.Second || e.Agent != "1001" || e.Queue != "q" || e.Priority != 4 || e.Caller != "555" {
		t.Fatalf("answered event %+v", e)
	}
	if o := h.lastEvent(call.AgentOffered); o.Agent != "1001" || o.CallID != "c1" || !o.Time.Equal(epoch.Add(42*time.Second)) {
		t.Fatalf("offered event %+v", o)
	}
	if _, err := h.acd.Position("c1"); err == nil {
		t.Fatal("connected call still has a position")
	}
	if info, _ := h.acd.Agent("1001"); info.CallID != "c1" || info.Queue != "q" || info.CallsToday != 1 {
		t.Fatalf("agent %+v", info)
	}
}

func TestHoldAndTalkEndEvents(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	h.login("1001")
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	if err := h.acd.Hold("c1"); err != nil {
		t.Fatal(err)
	}
	if e := h.lastEvent(call.Held); e.CallID != "c1" || e.Agent != "1001" {
		t.Fatalf("held %+v", e)
	}
	// Hanging up while on hold ends the talk as well.
	h.ok(h.acd.TalkEnded("c1", call.HangupByCaller))
	if e := h.lastEvent(call.TalkEnded); e.HangupBy != call.HangupByCaller || e.Agent != "1001" || e.Queue != "q" {
		t.Fatalf("talk ended %+v", e)
	}
	// No wrap-up configured: straight through wrap-up to available.
	h.wantState("1001", Available)
	if n := len(h.eventsOf(call.WrapupEnded)); n != 1 {
		t.Fatalf("%d wrap-up ended events", n)
	}
	_, err := h.acd.TalkEnded("c1", call.HangupByCaller)
	wantErr(t, err, ErrUnknownCall)
}

func TestTransferEndsAgentPartAndCallMayRequeue(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = 10 * time.Second
	cfg := team(q, 2)
	cfg.Queues = append(cfg.Queues, quietQueue("tech"))
	cfg.Agents[1].Queues = []string{"tech"}
	h := newHarness(t, cfg)
	h.login("1001", "1002")
	h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	_, err := h.acd.Transfer("c1", "sideways", "queue:tech")
	wantErr(t, err, ErrBadArgument)
	acts := h.ok(h.acd.Transfer("c1", TransferBlind, "queue:tech"))
	wantActions(t, acts, StartWrapup{AgentID: "1001", Until: epoch.Add(10 * time.Second)})
	tr := h.lastEvent(call.Transferred)
	if tr.TransferKind != "blind" || tr.Target != "queue:tech" || tr.Agent != "1001" || tr.Queue != "q" {
		t.Fatalf("transferred %+v", tr)
	}
	if te := h.lastEvent(call.TalkEnded); te.Reason != action.ReasonTransferred || te.HangupBy != call.HangupByAgent {
		t.Fatalf("talk ended %+v", te)
	}
	h.wantState("1001", Wrapup)
	// The runtime re-enqueues the same call in the target queue.
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c1", "tech", "555", 0))); got != "1002" {
		t.Fatalf("offered to %s", got)
	}
	// 1001 may still classify the transferred call during wrap-up.
	if err := h.acd.SetDisposition("1001", "billing", false); err != nil {
		t.Fatal(err)
	}
	if e := h.lastEvent(call.DispositionSet); e.CallID != "c1" || e.Agent != "1001" || e.Queue != "q" || e.Category != "billing" {
		t.Fatalf("disposition %+v", e)
	}
}

func TestDispositions(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = time.Minute
	h := newHarness(t, team(q, 2))
	wantErr(t, h.acd.SetDisposition("1001", "repair", true), ErrNoCall)
	wantErr(t, h.acd.SetDisposition("1001", "gossip", true), ErrBadArgument)
	wantErr(t, h.acd.SetDisposition("9999", "repair", true), ErrUnknownAgent)
	wantErr(t, h.acd.SetCallDisposition("c1", "repair", true), ErrUnknownCall)
	h.login("1001")
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	wantErr(t, h.acd.SetCallDisposition("c1", "repair", true), ErrUnknownCall) // still waiting
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	// During the call, by agent and by call.
	if err := h.acd.SetDisposition("1001", "repair", false); err != nil {
		t.Fatal(err)
	}
	if err := h.acd.SetCallDisposition("c1", "complaint", true); err != nil {
		t.Fatal(err)
	}
	h.ok(h.acd.TalkEnded("c1", call.HangupByCaller))
	h.advance(time.Minute)
	// After wrap-up the last call can still be classified.
	if err := h.acd.SetCallDisposition("c1", "consult", true); err != nil {
		t.Fatal(err)
	}
	evs := h.eventsOf(call.DispositionSet)
	if len(evs) != 3 {
		t.Fatalf("%d disposition events", len(evs))
	}
	last := evs[2]
	if last.CallID != "c1" || last.Category != "consult" || !last.Resolved || last.Agent != "1001" || last.Queue != "q" {
		t.Fatalf("disposition %+v", last)
	}
	// Only the agent's last call is remembered.
	h.ok(h.acd.Enqueue("c2", "q", "", 0))
	h.ok(h.acd.OfferAnswered("c2", "1001"))
	h.ok(h.acd.TalkEnded("c2", call.HangupByCaller))
	wantErr(t, h.acd.SetCallDisposition("c1", "consult", true), ErrUnknownCall)
	if err := h.acd.SetCallDisposition("c2", "suggestion", true); err != nil {
		t.Fatal(err)
	}
}

func TestEventsAreTimestampedWithTheClock(t *testing.T) {
	h := newHarness(t, team(quietQueue("q"), 1))
	h.clock.t = epoch.Add(time.Hour)
	h.login("1001")
	h.ok(h.acd.Enqueue("c1", "q", "", 0))
	for _, e := range h.events {
		if !e.Time.Equal(epoch.Add(time.Hour)) {
			t.Fatalf("event %s at %v", e.Kind, e.Time)
		}
	}
	if q := h.lastEvent(call.Queued); q.Queue != "q" || q.CallID != "c1" {
		t.Fatalf("queued %+v", q)
	}
}
