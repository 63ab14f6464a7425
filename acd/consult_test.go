package acd

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/call"
)

// connected puts call c1 on agent 1001 with 1002 logged in too.
func connectedPair(t *testing.T, q QueueConfig) *harness {
	t.Helper()
	h := newHarness(t, team(q, 2))
	h.login("1001")
	h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	h.login("1002")
	return h
}

func TestConsultKeepsAgentBusyThenFreesItWithoutWrapup(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = time.Minute
	h := connectedPair(t, q)
	h.ok(h.acd.ConsultStart("1002", "k1"))
	h.wantState("1002", Talking)
	if e := h.lastEvent(call.AgentStateChanged); e.Agent != "1002" || e.Reason != ReasonConsult || e.CallID != "" {
		t.Fatalf("consult state change %+v", e)
	}
	// A customer call waits: the consulted agent is not offered it.
	acts := h.ok(h.acd.Enqueue("c2", "q", "556", 0))
	if len(offers(acts)) != 0 {
		t.Fatalf("busy consulted agent offered a call: %v", acts)
	}
	h.clock.t = h.clock.t.Add(20 * time.Second)
	acts = h.ok(h.acd.ConsultEnd("1002", "k1"))
	if e := h.lastEvent(call.AgentStateChanged); e.Agent != "1002" || e.State != "ringing" {
		// Free again, 1002 is at once offered the waiting caller.
		t.Fatalf("after the consult: %+v", e)
	}
	if got := offeredTo(t, acts); got != "1002" {
		t.Fatalf("waiting call offered to %q", got)
	}
	if n := len(h.eventsOf(call.WrapupEnded)); n != 0 {
		t.Fatalf("a consult caused %d wrap-ups", n)
	}
	_, err := h.acd.ConsultEnd("1002", "k1")
	wantErr(t, err, ErrNoConsult)
}

func TestConsultRefusedUnlessAvailable(t *testing.T) {
	h := connectedPair(t, quietQueue("q"))
	_, err := h.acd.ConsultStart("1001", "k1") // talking to c1
	wantErr(t, err, ErrAgentNotFree)
	h.ok(h.acd.AgentLogout("1002"))
	_, err = h.acd.ConsultStart("1002", "k1")
	wantErr(t, err, ErrAgentLoggedOut)
	_, err = h.acd.ConsultStart("9999", "k1")
	wantErr(t, err, ErrUnknownAgent)
	h.login("1002")
	h.ok(h.acd.AgentPause("1002", "lunch"))
	_, err = h.acd.ConsultStart("1002", "k1")
	wantErr(t, err, ErrAgentNotFree)
	h.ok(h.acd.AgentReady("1002"))
	_, err = h.acd.ConsultStart("1002", "")
	wantErr(t, err, ErrBadArgument)
	h.wantState("1002", Available)
}

func TestPauseAndLogoutDuringConsultApplyWhenItEnds(t *testing.T) {
	h := connectedPair(t, quietQueue("q"))
	h.ok(h.acd.ConsultStart("1002", "k1"))
	h.ok(h.acd.AgentPause("1002", "training"))
	h.wantState("1002", Talking)
	h.ok(h.acd.ConsultEnd("1002", "k1"))
	h.wantState("1002", Paused)
	if e := h.lastEvent(call.AgentStateChanged); e.Reason != "training" {
		t.Fatalf("pause reason %q", e.Reason)
	}
	h.ok(h.acd.AgentReady("1002"))
	h.ok(h.acd.ConsultStart("1002", "k2"))
	h.ok(h.acd.AgentLogout("1002"))
	h.ok(h.acd.ConsultEnd("1002", "k2"))
	h.wantState("1002", LoggedOut)
}

func TestAttendedTransferMovesCallToConsultedAgent(t *testing.T) {
	q := quietQueue("q")
	q.WrapUp = 30 * time.Second
	h := connectedPair(t, q)
	h.clock.t = h.clock.t.Add(10 * time.Second)
	if err := h.acd.Hold("c1"); err != nil {
		t.Fatal(err)
	}
	h.ok(h.acd.ConsultStart("1002", "k1"))
	h.clock.t = h.clock.t.Add(15 * time.Second)
	acts := h.ok(h.acd.AttendedTransfer("c1", "1002", "k1"))
	tr := h.lastEvent(call.Transferred)
	if tr.TransferKind != "attended" || tr.Target != "agent:1002" || tr.Agent != "1001" || tr.CallID != "c1" {
		t.Fatalf("transferred %+v", tr)
	}
	if te := h.lastEvent(call.TalkEnded); te.Agent != "1001" || te.Reason != action.ReasonTransferred {
		t.Fatalf("talk ended %+v", te)
	}
	h.wantState("1001", Wrapup)
	wantActions(t, acts, StartWrapup{AgentID: "1001", Until: h.clock.t.Add(30 * time.Second)})
	h.wantState("1002", Talking)
	if e := h.lastEvent(call.AgentStateChanged); e.Agent != "1002" || e.CallID != "c1" || e.Reason != ReasonAttendedTransfer {
		t.Fatalf("1002's change %+v", e)
	}
	info, _ := h.acd.Agent("1002")
	if info.CallID != "c1" || info.CallsToday != 1 {
		t.Fatalf("1002 %+v", info)
	}
	if n := len(h.eventsOf(call.AgentAnswered)); n != 1 {
		t.Fatalf("%d AgentAnswered events: the call must count once", n)
	}
	// The call goes on with 1002: hold, and the end of talk, are its.
	if err := h.acd.Hold("c1"); err != nil {
		t.Fatal(err)
	}
	h.ok(h.acd.TalkEnded("c1", call.HangupByCaller))
	if te := h.lastEvent(call.TalkEnded); te.Agent != "1002" || te.HangupBy != call.HangupByCaller {
		t.Fatalf("final talk ended %+v", te)
	}
	h.wantState("1002", Wrapup)
}

func TestAttendedTransferRefusals(t *testing.T) {
	h := connectedPair(t, quietQueue("q"))
	_, err := h.acd.AttendedTransfer("c1", "1002", "k1") // 1002 is not consulting
	wantErr(t, err, ErrNoConsult)
	h.ok(h.acd.ConsultStart("1002", "k1"))
	_, err = h.acd.AttendedTransfer("c1", "1002", "other")
	wantErr(t, err, ErrNoConsult)
	_, err = h.acd.AttendedTransfer("nope", "1002", "k1")
	wantErr(t, err, ErrUnknownCall)
	h.ok(h.acd.Enqueue("c2", "q", "", 0)) // waiting, not connected
	_, err = h.acd.AttendedTransfer("c2", "1002", "k1")
	wantErr(t, err, ErrNotConnected)
	// Nothing changed: 1001 still talks to c1, 1002 is still consulting.
	h.wantState("1001", Talking)
	h.wantState("1002", Talking)
	h.ok(h.acd.ConsultEnd("1002", "k1"))
}
