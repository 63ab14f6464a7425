package app

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// callbackSetup gives the general queue of the ACD test config a callback
// with short test timings, dialling out through gatewayURI.
func callbackSetup(gatewayURI string, attempts int) func(*config.Config) {
	return func(cfg *config.Config) {
		q := cfg.Queues["general"]
		q.Callback = &config.QueueCallback{
			Enabled: true, OfferAfter: time.Second, MaxAttempts: attempts,
			RetryAfter: time.Second, GiveUpAfter: time.Minute, RingTimeout: 5 * time.Second,
		}
		cfg.Queues["general"] = q
		cfg.CallbackGateway = &config.CallbackGateway{URI: gatewayURI, FromNumber: "95598"}
	}
}

// agentAndCustomerHearEachOther checks that the agent's leg and the
// customer's hear each other's tones.
func agentAndCustomerHearEachOther(t *testing.T, leg, cust *testphone.Call) {
	t.Helper()
	cust.SendTone(700)
	leg.SendTone(1300)
	heard(t, leg, 25, "agent hears the customer")
	heard(t, cust, 25, "customer hears the agent")
}

// agentTalksAndHangsUp checks that the agent's leg and the customer's hear
// each other, then hangs the agent up and waits for the customer's end.
func agentTalksAndHangsUp(t *testing.T, leg, cust *testphone.Call) {
	t.Helper()
	agentAndCustomerHearEachOther(t, leg, cust)
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cust.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("customer not hung up after the agent")
	}
}

// gatewayPhone is a Go test phone standing in for the outbound gateway.
func gatewayPhone(t *testing.T, mode testphone.AnswerMode) *testphone.Phone {
	t.Helper()
	p, err := testphone.New(testphone.Config{Server: "127.0.0.1:9", User: "gateway"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	p.SetAnswerMode(mode)
	return p
}

// requestCallback queues a caller with nobody logged in, takes the
// callback offer, and (after keys, which answer the confirmation) waits
// for the caller to be let go. It returns the original call id.
func (h *harness) requestCallback(keys string) (*testphone.Call, string) {
	h.t.Helper()
	caller, id := h.dialAndPress("0")
	h.events.wait(h.t, id, "queued", func(e call.Event) bool { return e.Kind == call.Queued })
	heard(h.t, caller, 25, "callback offer")
	press(h.t, caller, "1")
	heard(h.t, caller, 25, "number read back")
	press(h.t, caller, keys)
	return caller, id
}

func TestCallbackThroughGatewayConnectsAgentThenCustomer(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, callbackSetup("sip:{number}@"+gw.Addr(), 3))

	caller, id := h.requestCallback("1")
	req := h.events.wait(t, id, "callback requested", func(e call.Event) bool { return e.Kind == call.CallbackRequested })
	if req.Target != "13800000001" || req.Queue != "general" {
		t.Fatalf("CallbackRequested %+v", req)
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultCallback {
		t.Fatalf("inbound call ended %s/%s, want callback", end.Result, end.Reason)
	}
	select {
	case <-caller.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("caller not let go after the thanks")
	}
	if got := h.metric("hotline_callbacks_pending", "queue", "general"); got != 1 {
		t.Fatalf("pending = %v, want 1", got)
	}

	cbID := id + "-cb"
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	if got := leg.RemoteUser(); got != "callback-*******0001" {
		t.Errorf("agent sees caller id %q, want the masked callback number", got)
	}
	cust := waitIncoming(t, gw)
	ans := h.events.wait(t, cbID, "customer answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	if ans.Agent != "1001" || ans.Wait <= 0 {
		t.Fatalf("AgentAnswered %+v", ans)
	}
	select {
	case o := <-gw.Offers():
		if o.To != "13800000001" || o.From != "95598" {
			t.Fatalf("gateway INVITE to %q from %q", o.To, o.From)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no gateway offer outcome")
	}
	agentTalksAndHangsUp(t, leg, cust)
	cbEnd := h.events.waitEnd(t, cbID)
	if cbEnd.Result != call.ResultAnsweredByAgent || cbEnd.HangupBy != call.HangupByAgent {
		t.Fatalf("callback ended %s by %s", cbEnd.Result, cbEnd.HangupBy)
	}
	h.wantAnsweredCallback(id, cbID)
}

// wantAnsweredCallback checks the metrics and the two records of a
// callback the customer answered and agent 1001 served.
func (h *harness) wantAnsweredCallback(id, cbID string) {
	h.t.Helper()
	t := h.t
	if got := h.metric("hotline_callback_attempts_total", "queue", "general", "result", "answered"); got != 1 {
		t.Errorf("answered attempts = %v", got)
	}
	if got := h.metric("hotline_callbacks_requested_total", "queue", "general"); got != 1 {
		t.Errorf("requested = %v", got)
	}
	if got := h.metric("hotline_callbacks_pending", "queue", "general"); got != 0 {
		t.Errorf("pending after the call = %v", got)
	}
	h.flushStore()
	rec, err := h.srv.Store().Call(context.Background(), cbID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Result != call.ResultAnsweredByAgent || rec.Agent != "1001" || rec.Queue != "general" {
		t.Fatalf("callback record: result %s agent %q queue %q", rec.Result, rec.Agent, rec.Queue)
	}
	orig, err := h.srv.Store().Call(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if orig.Result != call.ResultCallback {
		t.Fatalf("original record result %s", orig.Result)
	}
}

func TestCallbackBusyGatewayRetriesThenGivesUp(t *testing.T) {
	gw := gatewayPhone(t, testphone.Reject(486))
	h := start(t, acdTestConfig, callbackSetup("sip:{number}@"+gw.Addr(), 2))
	_, id := h.requestCallback("1")
	h.events.waitEnd(t, id)
	cbID := id + "-cb"
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)

	first := h.events.wait(t, cbID, "first attempt", func(e call.Event) bool { return e.Kind == call.CallbackAttempted })
	if first.Reason != "busy" {
		t.Fatalf("first attempt %q, want busy", first.Reason)
	}
	end := h.events.waitEnd(t, cbID)
	if end.Result != call.ResultAbandonedInQueue || end.Reason != "callback_gave_up" {
		t.Fatalf("callback ended %s/%s", end.Result, end.Reason)
	}
	var reasons []string
	for _, e := range h.events.all(cbID, call.CallbackAttempted) {
		reasons = append(reasons, e.Reason)
	}
	if len(reasons) != 3 || reasons[1] != "busy" || reasons[2] != "gave_up" {
		t.Fatalf("attempts %v, want busy, busy, gave_up", reasons)
	}
	retry := h.events.all(cbID, call.AgentOffered)
	if len(retry) != 2 || retry[1].Time.Sub(first.Time) < time.Second {
		t.Fatalf("want a second offer after retry_after, got %d offers", len(retry))
	}
	if got := h.metric("hotline_callback_attempts_total", "queue", "general", "result", "busy"); got != 2 {
		t.Errorf("busy attempts = %v", got)
	}
	h.events.wait(t, "", "agent available again", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "available" && e.Time.After(end.Time.Add(-time.Second))
	})
	_ = agent
}

// Another number is accepted only if it called the hotline before (anti
// toll-fraud); otherwise the callback stays on the caller's own number.
func TestCallbackOtherNumberOnlyIfItCalledBefore(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, callbackSetup("sip:{number}@"+gw.Addr(), 3))
	other, err := testphone.New(testphone.Config{Server: h.srv.SIPAddr().String(), User: "13900000002"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close() })
	prior := h.dial(other, "95598")
	h.events.waitNode(t, prior.CallID(), "menu")
	if err := prior.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, prior.CallID())

	// "2": another number, ended by "#", read back and confirmed with 1.
	caller, known := h.requestCallback("213900000002#")
	heard(t, caller, 25, "other number read back")
	press(t, caller, "1")
	if req := h.waitCallbackRequest(known); req.Target != "13900000002" {
		t.Fatalf("callback to %q, want the number that called before", req.Target)
	}
	_, unknown := h.requestCallback("213912345678#")
	if req := h.waitCallbackRequest(unknown); req.Target != "13800000001" {
		t.Fatalf("callback to %q: a number that never called got through", req.Target)
	}
	if got := h.metric("hotline_callbacks_pending", "queue", "general"); got != 2 {
		t.Fatalf("pending = %v, want 2", got)
	}
}

func (h *harness) waitCallbackRequest(id string) call.Event {
	h.t.Helper()
	end := h.events.waitEnd(h.t, id)
	if end.Result != call.ResultCallback {
		h.t.Fatalf("call %s ended %s/%s, want callback", id, end.Result, end.Reason)
	}
	return h.events.wait(h.t, id, "callback requested", func(e call.Event) bool { return e.Kind == call.CallbackRequested })
}

// all returns the events of kind for callID, in order.
func (r *recorder) all(callID string, kind call.Kind) []call.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call.Event
	for _, e := range r.events {
		if e.CallID == callID && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// A pending callback survives a restart: saved in the store, back in its
// queue on start, dialled when an agent takes it, with the wait counted
// from the caller's first queueing.
func TestCallbackSurvivesRestart(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	dataDir := t.TempDir()
	setup := func(cfg *config.Config) {
		callbackSetup("sip:{number}@"+gw.Addr(), 3)(cfg)
		cfg.DataDir = dataDir
	}
	var id string
	var queued time.Time // when the caller first queued, by the first server's clock
	t.Run("before restart", func(t *testing.T) {
		h := start(t, acdTestConfig, setup)
		_, id = h.requestCallback("1")
		req := h.waitCallbackRequest(id)
		queued = req.Time.Add(-req.Wait).Truncate(time.Millisecond)
		saved, err := h.srv.Store().PendingCallbacks(context.Background())
		if err != nil || len(saved) != 1 || !saved[0].Queued.Equal(queued) || saved[0].Number != "13800000001" {
			t.Fatalf("saved callbacks %+v, %v; want one queued at %s", saved, err, queued)
		}
	})
	h := start(t, acdTestConfig, setup)
	cbID := id + "-cb"
	if got := h.metric("hotline_callbacks_pending", "queue", "general"); got != 1 {
		t.Fatalf("pending after restart = %v, want 1", got)
	}
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	cust := waitIncoming(t, gw)
	ans := h.events.wait(t, cbID, "customer answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	// The wait runs from the first queueing, before the restart.
	if want := ans.Time.Sub(queued); ans.Wait != want {
		t.Errorf("wait %s, want %s", ans.Wait, want)
	}
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	<-cust.Done()
	if end := h.events.waitEnd(t, cbID); end.Result != call.ResultAnsweredByAgent {
		t.Fatalf("callback ended %s/%s", end.Result, end.Reason)
	}
	saved, err := h.srv.Store().PendingCallbacks(context.Background())
	if err != nil || len(saved) != 0 {
		t.Fatalf("saved callbacks after the call: %+v, %v", saved, err)
	}
	h.flushStore()
	rec, err := h.srv.Store().Call(context.Background(), cbID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Result != call.ResultAnsweredByAgent || rec.Agent != "1001" || rec.Queue != "general" {
		t.Fatalf("callback record after restart: %s %q %q", rec.Result, rec.Agent, rec.Queue)
	}
}
