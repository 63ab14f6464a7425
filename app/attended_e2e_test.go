package app

import (
	"errors"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

// callerWithAgent queues a caller, lets agent 1001 answer and checks they
// hear each other. 1002 logs in afterwards, so 1001 gets the call.
func callerWithAgent(t *testing.T, h *harness) (caller, legA *testphone.Call, id string, a, b *testphone.Phone) {
	t.Helper()
	a = h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id = h.dialAndPress("0")
	legA = waitIncoming(t, a)
	h.events.wait(t, id, "1001 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	hearEachOther(t, caller, legA, "1001") // after "agent 1 0 2 4 will serve you"
	b = h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	return caller, legA, id, a, b
}

// consultB holds the caller and calls 1002, who answers; they hear each
// other. It returns A's consult call and B's side of it.
func consultB(t *testing.T, h *harness, legA *testphone.Call, id string, a, b *testphone.Phone) (*testphone.Call, *testphone.Call) {
	t.Helper()
	if err := legA.Hold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	h.events.wait(t, id, "held", func(e call.Event) bool { return e.Kind == call.Held })
	consultA, err := a.Call(ctxT(t, 10*time.Second), "1002")
	if err != nil {
		t.Fatalf("consult call to 1002: %v", err)
	}
	t.Cleanup(func() { _ = consultA.Hangup(ctxT(t, 5*time.Second)) })
	consultB := waitIncoming(t, b)
	if consultB.RemoteUser() != "1001" {
		t.Errorf("1002's phone shows %q calling, want 1001", consultB.RemoteUser())
	}
	h.events.wait(t, consultA.CallID(), "consult started", func(e call.Event) bool {
		return e.Kind == call.ConsultStarted && e.Agent == "1001" && e.Target == "1002"
	})
	h.events.wait(t, "", "1002 busy on the consult", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1002" && e.State == "talking" && e.Reason == "consult"
	})
	consultHearEachOther(t, consultA, consultB)
	return consultA, consultB
}

func TestAttendedTransferHandsCallerToConsultedAgent(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	caller, legA, id, a, b := callerWithAgent(t, h)
	consultA, legB := consultB(t, h, legA, id, a, b)
	heard(t, caller, 25, "caller hears music on hold during the consult")

	referAndHandOver(t, legA, consultA)
	attendedTransferred(t, h.events, h.events, h.events, id, consultA.CallID())

	callerAnd1002HearEachOther(t, caller, legB)

	hangUpReleases(t, caller, legB)
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAnsweredByAgent || end.HangupBy != call.HangupByCaller {
		t.Errorf("end %s by %s", end.Result, end.HangupBy)
	}
	te := h.events.wait(t, id, "1002's talk ended", func(e call.Event) bool { return e.Kind == call.TalkEnded && e.Agent == "1002" })
	if te.HangupBy != call.HangupByCaller {
		t.Errorf("talk ended by %s", te.HangupBy)
	}
	h.events.wait(t, id, "1002 in wrap-up", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1002" && e.State == "wrapup"
	})

	// One hotline call, answered; the consult is in no call figure.
	if n := h.metric("hotline_calls_total", "result", "answered_by_agent"); n != 1 {
		t.Errorf("answered calls %v, want 1", n)
	}
	if n := h.metric("hotline_transfers_total", "queue", "general", "kind", "attended"); n != 1 {
		t.Errorf("attended transfers %v, want 1", n)
	}
	rec := storedCall(t, h, id)
	if rec.Result != call.ResultAnsweredByAgent || rec.Agent != "1001" || rec.TransferKind != "attended" ||
		rec.TransferTarget != "agent:1002" || rec.HangupBy != call.HangupByCaller || rec.Talk <= 0 {
		t.Errorf("call record %+v", rec.CallRecord)
	}
	if _, err := h.srv.Store().Call(ctxT(t, 5*time.Second), consultA.CallID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the consult call has a call record: %v", err)
	}
}

// storedCall waits for the call's finished record.
func storedCall(t *testing.T, h *harness, id string) store.CallDetail {
	t.Helper()
	st := h.srv.Store()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := st.Flush(ctxT(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		d, err := st.Call(ctxT(t, 5*time.Second), id)
		if err == nil && !d.Ended.IsZero() {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished record of call %s: %v", id, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A REFER naming a dialog the server does not know, or a consult that is
// over, leaves the caller with the agent; hanging up a consult frees the
// consulted agent at once.
func TestAttendedTransferFailuresKeepTheCall(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	caller, legA, id, a, b := callerWithAgent(t, h)

	if code, err := legA.ReferReplacing(ctxT(t, 5*time.Second), "1002", "no-such-call", "x1", "y2"); err != nil || code != 202 {
		t.Fatalf("REFER: %d %v", code, err)
	}
	if final, err := legA.WaitReferFinal(ctxT(t, 5*time.Second)); err != nil || final != 481 {
		t.Errorf("transfer naming an unknown dialog: NOTIFY %d %v, want 481", final, err)
	}

	consultA, legB := consultB(t, h, legA, id, a, b)
	// 1001 gives up the consult: 1002 is available again, without wrap-up.
	if err := consultA.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-legB.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("1002's consult leg not released")
	}
	h.events.wait(t, "", "1002 free after the consult", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1002" && e.PrevState == "talking" && e.State == "available"
	})
	h.events.wait(t, consultA.CallID(), "consult ended", func(e call.Event) bool {
		return e.Kind == call.ConsultEnded && e.Reason == "consulter_hangup"
	})
	if code, err := legA.ReferReplaces(ctxT(t, 5*time.Second), consultA); err != nil || code != 202 {
		t.Fatalf("REFER: %d %v", code, err)
	}
	if final, err := legA.WaitReferFinal(ctxT(t, 5*time.Second)); err != nil || final != 481 {
		t.Errorf("transfer naming an ended consult: NOTIFY %d %v, want 481", final, err)
	}

	// The caller is still 1001's: resume and talk.
	if err := legA.Unhold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("unhold: %v", err)
	}
	legA.SendTone(0)
	if err := caller.WaitSilenceAfterAudio(ctxT(t, 10*time.Second), 400*time.Millisecond); err != nil {
		t.Fatalf("caller still hears music: %v", err)
	}
	legA.SendTone(1300)
	heard(t, caller, 25, "caller hears 1001 again")
	heard(t, legA, 25, "1001 hears the caller again")
	if n := len(consultTestEvents(h, id, call.Transferred)); n != 0 {
		t.Errorf("%d Transferred events for failed transfers", n)
	}

	// 1002 logs out: a consult to it is refused with 480.
	h.feature(b, "*22")
	_, err := a.Call(ctxT(t, 5*time.Second), "1002")
	wantStatus(t, "consult to a logged-out agent", err, 480)
	// Nor may an agent consult itself.
	_, err = a.Call(ctxT(t, 5*time.Second), "1001")
	wantStatus(t, "consult to oneself", err, 486)

	if err := legA.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if end := h.events.waitEnd(t, id); end.Result != call.ResultAnsweredByAgent || end.HangupBy != call.HangupByAgent {
		t.Errorf("end %s by %s", end.Result, end.HangupBy)
	}
	if n := h.metric("hotline_calls_total", "result", "answered_by_agent"); n != 1 {
		t.Errorf("answered calls %v, want 1 (consults are not hotline calls)", n)
	}
}

// The caller hanging up during a consult ends only the caller's call; the
// two agents stay on the consult.
func TestCallerHangsUpDuringConsult(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	caller, legA, id, a, b := callerWithAgent(t, h)
	consultA, legB := consultB(t, h, legA, id, a, b)
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-legA.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("1001's call with the caller not released")
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAnsweredByAgent || end.HangupBy != call.HangupByCaller {
		t.Errorf("end %s by %s", end.Result, end.HangupBy)
	}
	heard(t, legB, 25, "the consult goes on: 1002 hears 1001")
	heard(t, consultA, 25, "the consult goes on: 1001 hears 1002")
	if err := legB.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-consultA.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("1001's consult call not released when 1002 hung up")
	}
	h.events.wait(t, consultA.CallID(), "consult ended", func(e call.Event) bool {
		return e.Kind == call.ConsultEnded && e.Reason == "consulted_hangup"
	})
}

// consultTestEvents lists the recorded events of kind for callID.
func consultTestEvents(h *harness, callID string, kind call.Kind) []call.Event {
	h.events.mu.Lock()
	defer h.events.mu.Unlock()
	var out []call.Event
	for _, e := range h.events.events {
		if e.CallID == callID && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// consultHearEachOther checks that 1001 (consultA, its consult call) and
// 1002 (consultB, the consulted leg) hear each other.
func consultHearEachOther(t *testing.T, consultA, consultB *testphone.Call) {
	t.Helper()
	consultA.SendTone(700)
	consultB.SendTone(1100)
	heard(t, consultB, 25, "1002 hears 1001 on the consult")
	heard(t, consultA, 25, "1001 hears 1002 on the consult")
}

// referAndHandOver sends 1001's REFER with Replaces naming its consult
// call, and checks the transfer's NOTIFY says 200 and both of 1001's
// calls end.
func referAndHandOver(t *testing.T, legA, consultA *testphone.Call) {
	t.Helper()
	code, err := legA.ReferReplaces(ctxT(t, 5*time.Second), consultA)
	if err != nil || code != 202 {
		t.Fatalf("REFER with Replaces: %d %v", code, err)
	}
	if final, err := legA.WaitReferFinal(ctxT(t, 5*time.Second)); err != nil || final != 200 {
		t.Fatalf("transfer NOTIFY: %d %v", final, err)
	}
	for what, c := range map[string]*testphone.Call{"1001's call with the caller": legA, "1001's consult call": consultA} {
		select {
		case <-c.Done():
		case <-time.After(10 * time.Second):
			t.Fatalf("%s was not hung up after the transfer", what)
		}
	}
}

// attendedTransferred waits for the events of call id's attended
// transfer from 1001 to 1002: the transfer (checked) and the end of the
// consult consultID as the caller's node sees them, 1001's wrap-up as
// 1001's node sees it and 1002's talk as 1002's node sees it. On one
// server the three are the same recorder.
func attendedTransferred(t *testing.T, callerNode, node1001, node1002 *recorder, id, consultID string) {
	t.Helper()
	tr := callerNode.wait(t, id, "transferred", func(e call.Event) bool { return e.Kind == call.Transferred })
	if tr.TransferKind != "attended" || tr.Target != "agent:1002" || tr.Agent != "1001" {
		t.Errorf("transferred event %+v", tr)
	}
	node1001.wait(t, id, "1001 in wrap-up", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "wrapup"
	})
	node1002.wait(t, id, "1002 talks to the caller", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1002" && e.State == "talking" && e.Reason == "attended_transfer"
	})
	callerNode.wait(t, consultID, "consult ended by the transfer", func(e call.Event) bool {
		return e.Kind == call.ConsultEnded && e.Reason == "transferred"
	})
}

// callerAnd1002HearEachOther checks that the caller and 1002 hear each
// other: what the caller hears stops when 1002 goes quiet (no music any
// more) and comes back with 1002.
func callerAnd1002HearEachOther(t *testing.T, caller, legB *testphone.Call) {
	t.Helper()
	heard(t, legB, 25, "1002 hears the caller")
	legB.SendTone(0)
	if err := caller.WaitSilenceAfterAudio(ctxT(t, 10*time.Second), 400*time.Millisecond); err != nil {
		t.Fatalf("caller still hears something other than 1002: %v", err)
	}
	legB.SendTone(1100)
	heard(t, caller, 25, "caller hears 1002")
}

// hangUpReleases hangs the caller up and checks 1002's leg ends with it.
func hangUpReleases(t *testing.T, caller, legB *testphone.Call) {
	t.Helper()
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-legB.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("1002 not released when the caller hung up")
	}
}
