package app

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/callback"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

// Toll fraud through callbacks: only a caller from a trusted network is
// called back, only to an allowed number, within the caps, and another
// number only once the caller confirmed it read back.

const refusedMetric = "hotline_callbacks_refused_total"

// callerPhone is a test phone calling as user, optionally with the
// P-Asserted-Identity a carrier's SBC would add.
func (h *harness) callerPhone(user, assertedIdentity string) *testphone.Phone {
	h.t.Helper()
	p, err := testphone.New(testphone.Config{
		Server: h.srv.SIPAddr().String(), User: user, AssertedIdentity: assertedIdentity,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = p.Close() })
	return p
}

// queueOn calls the hotline from p and asks for an agent.
func (h *harness) queueOn(p *testphone.Phone) (*testphone.Call, string) {
	h.t.Helper()
	caller := h.dial(p, "95598")
	id := caller.CallID()
	h.events.waitNode(h.t, id, "menu")
	press(h.t, caller, "0")
	h.events.wait(h.t, id, "queued", func(e call.Event) bool { return e.Kind == call.Queued })
	return caller, id
}

// waitMetric waits until a series reaches want.
func (h *harness) waitMetric(want float64, name string, labels ...string) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := h.metric(name, labels...)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s%v = %v, want %v", name, labels, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantRefusals checks every reason's count of refused callbacks: the
// series exist from the start, so a reason not listed must be 0.
func (h *harness) wantRefusals(want map[string]float64) {
	h.t.Helper()
	for _, r := range []string{"untrusted_source", "not_allowed", "not_known", "not_confirmed", "number_cap", "hourly_cap"} {
		if got := h.metric(refusedMetric, "reason", r); got != want[r] {
			h.t.Errorf("%s{reason=%q} = %v, want %v", refusedMetric, r, got, want[r])
		}
	}
}

// refusalAudits returns the audit entries of refused callbacks, oldest
// first, with their detail decoded.
func (h *harness) refusalAudits() ([]store.AuditEntry, []map[string]string) {
	h.t.Helper()
	h.flushStore()
	entries, err := h.srv.Store().AuditLog(ctxT(h.t, 5*time.Second), store.AuditFilter{Action: callback.RefusedAction})
	if err != nil {
		h.t.Fatal(err)
	}
	details := make([]map[string]string, len(entries))
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i]
	}
	for i, e := range entries {
		if err := json.Unmarshal([]byte(e.Detail), &details[i]); err != nil {
			h.t.Fatalf("audit detail %q: %v", e.Detail, err)
		}
	}
	return entries, details
}

func (h *harness) wantNoCallbackRequest(id string) {
	h.t.Helper()
	if n := len(h.events.all(id, call.CallbackRequested)); n != 0 {
		h.t.Fatalf("call %s: %d callbacks requested, want none", id, n)
	}
}

// From outside the trusted networks the caller's number is a claim: it is
// shown (the record keeps From, not the PAI the stranger added) but no
// callback is offered, the refusal is counted once and audited, and the
// caller simply waits for an agent.
func TestCallbackNeverOfferedToAnUntrustedSource(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, func(cfg *config.Config) {
		callbackSetup("sip:{number}@"+gw.Addr(), 3)(cfg)
		cfg.SIP.Security.TrustedNetworks = []string{"192.0.2.0/24"} // loopback is not the carrier here
	})
	p := h.callerPhone("13800000001", "<tel:+8613900000002>")
	caller, id := h.queueOn(p)
	arrived := h.events.wait(t, id, "arrived", func(e call.Event) bool { return e.Kind == call.CallArrived })
	if arrived.Caller != "13800000001" {
		t.Fatalf("caller %q: an untrusted source's PAI was believed", arrived.Caller)
	}
	h.waitMetric(1, refusedMetric, "reason", "untrusted_source")
	press(t, caller, "1") // the offer's key, had there been an offer

	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	h.events.wait(t, id, "answered by the agent", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, id)
	h.wantNoCallbackRequest(id)
	h.wantRefusals(map[string]float64{"untrusted_source": 1})

	entries, details := h.refusalAudits()
	if len(entries) != 1 {
		t.Fatalf("%d refusal audit entries, want 1: %+v", len(entries), entries)
	}
	e := entries[0]
	if e.Result != "refused" || e.Role != "caller" || e.Actor != "*******0001" || e.Target != "*******0001" ||
		e.Source == "" || details[0]["reason"] != "untrusted_source" || details[0]["call"] != id || details[0]["queue"] != "general" {
		t.Fatalf("audit entry %+v detail %v", e, details[0])
	}
}

// From a trusted source the caller is the P-Asserted-Identity, not From.
func TestCallbackToTheAssertedIdentityFromATrustedSource(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, callbackSetup("sip:{number}@"+gw.Addr(), 3))
	p := h.callerPhone("anonymous", `"Carrier" <sip:13700000005@sbc.carrier.example;user=phone>`)
	caller, id := h.queueOn(p)
	arrived := h.events.wait(t, id, "arrived", func(e call.Event) bool { return e.Kind == call.CallArrived })
	if arrived.Caller != "13700000005" {
		t.Fatalf("caller %q, want the asserted identity", arrived.Caller)
	}
	heard(t, caller, 25, "callback offer")
	press(t, caller, "1")
	heard(t, caller, 25, "asserted number read back")
	press(t, caller, "1")
	if req := h.waitCallbackRequest(id); req.Target != "13700000005" {
		t.Fatalf("callback to %q, want the asserted identity", req.Target)
	}
	h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	cust := waitIncoming(t, gw)
	if got := cust.RemoteUser(); got != "95598" {
		t.Errorf("customer sees %q", got)
	}
	select {
	case o := <-gw.Offers():
		if o.To != "13700000005" {
			t.Fatalf("gateway INVITE to %q", o.To)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no gateway offer outcome")
	}
	h.wantRefusals(nil)
}

// Another number off the allow-list (international 00…, a premium line
// behind an area code) is refused, counted and audited; the caller is
// asked again and keeps their own number.
func TestCallbackAllowListRefusesInternationalAndPremiumNumbers(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, callbackSetup("sip:{number}@"+gw.Addr(), 3))
	caller, id := h.requestCallback("20013800000001#")
	h.waitMetric(1, refusedMetric, "reason", "not_allowed")
	waitQuiet(t, caller) // "we cannot call back that number", then the own number again
	press(t, caller, "201016812345#")
	h.waitMetric(2, refusedMetric, "reason", "not_allowed")
	waitQuiet(t, caller)
	press(t, caller, "1")
	if req := h.waitCallbackRequest(id); req.Target != "13800000001" {
		t.Fatalf("callback to %q, want the caller's own number", req.Target)
	}
	h.wantRefusals(map[string]float64{"not_allowed": 2})
	entries, details := h.refusalAudits()
	if len(entries) != 2 || entries[0].Target != "*********0001" || entries[1].Target != "*******2345" ||
		details[0]["reason"] != "not_allowed" || details[1]["reason"] != "not_allowed" {
		t.Fatalf("audit entries %+v", entries)
	}
}

// A caller whose own number is off the allow-list (+1…, outside the home
// country) with no other number allowed hears no offer.
func TestCallbackNotOfferedToAForeignNumber(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, func(cfg *config.Config) {
		callbackSetup("sip:{number}@"+gw.Addr(), 3)(cfg)
		no := false
		cfg.Queues["general"].Callback.AllowOtherNumber = &no
	})
	p := h.callerPhone("anonymous", "<tel:+12125550100>")
	caller, id := h.queueOn(p)
	h.waitMetric(1, refusedMetric, "reason", "not_allowed")
	press(t, caller, "1")
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	h.events.wait(t, id, "answered by the agent", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	_ = leg.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, id)
	h.wantNoCallbackRequest(id)
	h.wantRefusals(map[string]float64{"not_allowed": 1})
}

// Another number read back and declined is not taken: the caller is asked
// again and keeps their own number.
func TestCallbackOtherNumberDeclinedAtTheReadBack(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, callbackSetup("sip:{number}@"+gw.Addr(), 3))
	other := h.callerPhone("13900000002", "")
	prior := h.dial(other, "95598")
	h.events.waitNode(t, prior.CallID(), "menu")
	if err := prior.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, prior.CallID())

	caller, id := h.requestCallback("213900000002#")
	heard(t, caller, 25, "other number read back")
	press(t, caller, "2") // not this one
	h.waitMetric(1, refusedMetric, "reason", "not_confirmed")
	waitQuiet(t, caller) // the own number read back again
	press(t, caller, "1")
	if req := h.waitCallbackRequest(id); req.Target != "13800000001" {
		t.Fatalf("callback to %q: a declined number was taken", req.Target)
	}
	h.wantRefusals(map[string]float64{"not_confirmed": 1})
	if _, details := h.refusalAudits(); len(details) != 1 || details[0]["reason"] != "not_confirmed" {
		t.Fatalf("audit details %v", details)
	}
}

// Past max_per_number the same number gets no second callback; the
// caller hears so and stays in the queue.
func TestCallbackPerNumberCap(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, func(cfg *config.Config) {
		callbackSetup("sip:{number}@"+gw.Addr(), 3)(cfg)
		cfg.CallbackGateway.MaxPerNumber = 1
	})
	_, first := h.requestCallback("1")
	h.waitCallbackRequest(first)
	caller, second := h.requestCallback("1")
	h.waitMetric(1, refusedMetric, "reason", "number_cap")
	h.wantStillQueued(caller, second)
	h.wantRefusals(map[string]float64{"number_cap": 1})
}

// Past max_per_hour no number gets a callback.
func TestCallbackHourlyCap(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h := start(t, acdTestConfig, func(cfg *config.Config) {
		callbackSetup("sip:{number}@"+gw.Addr(), 3)(cfg)
		cfg.CallbackGateway.MaxPerHour = 1
	})
	_, first := h.requestCallback("1")
	h.waitCallbackRequest(first)
	caller, second := h.queueOn(h.callerPhone("13900000002", ""))
	heard(t, caller, 25, "callback offer")
	press(t, caller, "1")
	heard(t, caller, 25, "number read back")
	press(t, caller, "1")
	h.waitMetric(1, refusedMetric, "reason", "hourly_cap")
	h.wantStillQueued(caller, second)
	h.wantRefusals(map[string]float64{"hourly_cap": 1})
	if entries, details := h.refusalAudits(); len(entries) != 1 || details[0]["reason"] != "hourly_cap" ||
		entries[0].Target != "*******0002" {
		t.Fatalf("audit %+v %v", entries, details)
	}
}

// wantStillQueued: a refused caller hears the refusal, is not let go, and
// an agent logging in takes the call.
func (h *harness) wantStillQueued(caller *testphone.Call, id string) {
	h.t.Helper()
	waitQuiet(h.t, caller)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	// The pending callback may come first; the refused caller is served
	// by the agent all the same.
	for {
		leg := waitIncoming(h.t, agent)
		if leg.RemoteUser() != "13800000001" && leg.RemoteUser() != "13900000002" {
			_ = leg.Hangup(ctxT(h.t, 5*time.Second))
			continue
		}
		h.events.wait(h.t, id, "answered by the agent", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
		_ = leg.Hangup(ctxT(h.t, 5*time.Second))
		break
	}
	end := h.events.waitEnd(h.t, id)
	if end.Result != call.ResultAnsweredByAgent {
		h.t.Fatalf("refused caller ended %s/%s, want answered", end.Result, end.Reason)
	}
	h.wantNoCallbackRequest(id)
}

// The caps count across a restart (from the call records), and a pending
// callback is checked again before it is dialled: restored under an
// allow-list that no longer takes its number, it is ended, never dialled.
func TestCallbackCapsSurviveRestartAndDialIsRechecked(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	dataDir := t.TempDir()
	setup := func(allowed ...string) func(*config.Config) {
		return func(cfg *config.Config) {
			callbackSetup("sip:{number}@"+gw.Addr(), 3)(cfg)
			cfg.DataDir = dataDir
			cfg.CallbackGateway.MaxPerNumber = 1
			cfg.CallbackGateway.AllowedNumbers = allowed
		}
	}
	var id string
	t.Run("first callback", func(t *testing.T) {
		h := start(t, acdTestConfig, setup())
		_, id = h.requestCallback("1")
		h.waitCallbackRequest(id)
	})
	t.Run("after a restart the number is still capped", func(t *testing.T) {
		h := start(t, acdTestConfig, setup())
		caller, again := h.requestCallback("1")
		h.waitMetric(1, refusedMetric, "reason", "number_cap")
		waitQuiet(t, caller)
		if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		h.events.waitEnd(t, again)
		h.wantNoCallbackRequest(again)
	})
	h := start(t, acdTestConfig, setup(`139[0-9]{8}`))
	cbID := id + "-cb"
	if got := h.metric("hotline_callbacks_pending", "queue", "general"); got != 1 {
		t.Fatalf("pending after restart = %v, want 1", got)
	}
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	waitIncoming(t, agent)
	end := h.events.waitEnd(t, cbID)
	if end.Result != call.ResultFailed || end.Reason != "callback_refused" {
		t.Fatalf("callback ended %s/%s, want failed/callback_refused", end.Result, end.Reason)
	}
	select {
	case o := <-gw.Offers():
		t.Fatalf("the gateway was dialled (to %q) for a number off the allow-list", o.To)
	default:
	}
	h.wantRefusals(map[string]float64{"not_allowed": 1})
	// Each server's test clock starts at the same time: find the entry by
	// its role, not its place.
	entries, details := h.refusalAudits()
	found := false
	for i, e := range entries {
		if e.Role == "server" {
			found = true
			if e.Actor != "hotline" || e.Source != "" || details[i]["reason"] != "not_allowed" || details[i]["call"] != id {
				t.Fatalf("audit entry of the refused dial %+v %v", e, details[i])
			}
		}
	}
	if !found || len(entries) != 2 {
		t.Fatalf("audit entries %+v, want the number_cap refusal and the refused dial", entries)
	}
	saved, err := h.srv.Store().PendingCallbacks(ctxT(t, 5*time.Second))
	if err != nil || len(saved) != 0 {
		t.Fatalf("saved callbacks after the refusal: %+v, %v", saved, err)
	}
	// The agent is let go at once.
	attempt := h.events.wait(t, cbID, "attempt", func(e call.Event) bool { return e.Kind == call.CallbackAttempted })
	h.events.wait(t, "", "agent available again", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "available" && !e.Time.Before(attempt.Time)
	})
}
