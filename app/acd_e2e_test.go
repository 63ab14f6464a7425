package app

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
)

const acdTestConfig = "testdata/acd.yaml"

// agentPhone registers an agent's softphone and logs the agent in with the
// login feature code, as a real agent would.
func (h *harness) agentPhone(id, password string, mode testphone.AnswerMode) *testphone.Phone {
	h.t.Helper()
	p := h.registeredPhone(testphone.Config{User: id, Password: password})
	p.SetAnswerMode(mode)
	h.logIn(p, id)
	return p
}

// registeredPhone makes a softphone from cfg, for the server, and
// registers it for an hour; the phone closes when the test ends.
func (h *harness) registeredPhone(cfg testphone.Config) *testphone.Phone {
	h.t.Helper()
	cfg.Server = h.srv.SIPAddr().String()
	p, err := testphone.New(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = p.Close() })
	if err := p.Register(ctxT(h.t, 5*time.Second), cfg.Password, time.Hour); err != nil {
		h.t.Fatalf("register %s: %v", cfg.User, err)
	}
	return p
}

// logIn logs agent id in from its phone p with the login feature code and
// waits until the agent is available.
func (h *harness) logIn(p *testphone.Phone, id string) {
	h.t.Helper()
	h.feature(p, "*21")
	h.events.wait(h.t, "", "agent "+id+" available", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == id && e.State == "available"
	})
}

// feature dials a feature code and waits for the spoken confirmation and
// the server's hang-up.
func (h *harness) feature(p *testphone.Phone, code string) {
	h.t.Helper()
	c, err := p.Call(ctxT(h.t, 5*time.Second), code)
	if err != nil {
		h.t.Fatalf("feature %s: %v", code, err)
	}
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		h.t.Fatalf("feature %s: no hang-up after the confirmation", code)
	}
	if c.Received().NonSilentFrames < 10 {
		h.t.Errorf("feature %s: no spoken confirmation", code)
	}
}

// dialAndPress places a call to 95598 and presses digit at the menu, which
// queues the caller; it returns the call and its id.
func (h *harness) dialAndPress(digit string) (*testphone.Call, string) {
	h.t.Helper()
	caller := h.dial(h.phone("udp"), "95598")
	id := caller.CallID()
	h.events.waitNode(h.t, id, "menu")
	press(h.t, caller, digit)
	return caller, id
}

func waitIncoming(t *testing.T, p *testphone.Phone) *testphone.Call {
	t.Helper()
	select {
	case c := <-p.Incoming():
		return c
	case <-time.After(15 * time.Second):
		t.Fatal("the agent's phone never rang")
	}
	return nil
}

// heard waits until c has received at least n more frames of audio.
func heard(t *testing.T, c *testphone.Call, n int, what string) {
	t.Helper()
	want := c.Received().NonSilentFrames + n
	if err := c.WaitAudio(ctxT(t, 10*time.Second), want); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// hearEachOther waits for the caller's prompts to end, then has the caller
// and the agent's leg send tones and waits until each hears the other.
func hearEachOther(t *testing.T, caller, leg *testphone.Call, agent string) {
	t.Helper()
	waitQuiet(t, caller)
	caller.SendTone(500)
	leg.SendTone(1300)
	heard(t, leg, 25, agent+" hears the caller")
	heard(t, caller, 25, "caller hears "+agent)
}

// agentHangsUp has the agent's leg hang up and checks that the caller is
// released and the call ended answered by the agent, hung up by the agent.
func agentHangsUp(t *testing.T, h *harness, caller, leg *testphone.Call, id string) {
	t.Helper()
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-caller.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("caller not released after the agent hung up")
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAnsweredByAgent || end.HangupBy != call.HangupByAgent {
		t.Errorf("end: %s by %s", end.Result, end.HangupBy)
	}
}

func TestCallerReachesAgentAndTheyHearEachOther(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)

	caller, id := h.dialAndPress("0")
	leg := waitIncoming(t, agent)
	h.events.wait(t, id, "agent answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })

	// "Agent 1 0 2 4 will serve you", then the bridge.
	hearEachOther(t, caller, leg, "1001")

	if err := leg.Hold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	h.events.wait(t, id, "held", func(e call.Event) bool { return e.Kind == call.Held })
	heard(t, caller, 25, "caller hears music on hold")
	if err := leg.Unhold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("unhold: %v", err)
	}
	h.events.wait(t, id, "unheld", func(e call.Event) bool { return e.Kind == call.Unheld })

	agentHangsUp(t, h, caller, leg, id)
	h.events.wait(t, "", "wrap-up over", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.PrevState == "wrapup" && e.State == "available"
	})
}

func TestCallerHangsUpWhileAgentRings(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	agent := h.agentPhone("1001", "pw1001", testphone.NoAnswer)
	caller, id := h.dialAndPress("0")
	select {
	case <-agent.Ringing():
	case <-time.After(10 * time.Second):
		t.Fatal("agent not rung")
	}
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-agent.Offers():
		if !o.Cancelled {
			t.Errorf("offer %+v, want it cancelled", o)
		}
		if o.From != "13800000001" {
			t.Errorf("caller ID shown to the agent %q", o.From)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the agent's phone was not cancelled")
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAbandonedInQueue {
		t.Errorf("result %s, want abandoned_in_queue", end.Result)
	}
}

func TestNoAnswerMovesToNextAgentAndAutoPauses(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	lazy := h.agentPhone("1001", "pw1001", testphone.NoAnswer)
	busy := h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	first, id := h.dialAndPress("0")
	// 1001 has been idle longest, is rung first, does not answer within
	// the 2 s ring timeout; 1002 gets the call.
	h.events.wait(t, id, "no answer from 1001", func(e call.Event) bool { return e.Kind == call.AgentNoAnswer && e.Agent == "1001" })
	waitIncoming(t, busy)
	h.events.wait(t, id, "1002 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1002" })
	select {
	case o := <-lazy.Offers():
		if !o.Cancelled {
			t.Errorf("1001's unanswered ring: %+v, want cancelled", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("1001 was never rung")
	}

	// While 1002 talks, the next caller can only go to 1001, who again does
	// not answer: the second no-answer in a row (auto_pause_after: 2) pauses
	// 1001 with reason no_answer, and the caller keeps waiting.
	second, id2 := h.dialAndPress("0")
	h.events.wait(t, id2, "second no answer from 1001", func(e call.Event) bool { return e.Kind == call.AgentNoAnswer && e.Agent == "1001" })
	h.events.wait(t, id2, "1001 auto-paused", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "paused" && e.Reason == acd.ReasonNoAnswer
	})
	for _, a := range h.srv.agentControl().Agents() {
		if a.ID == "1001" && (a.State != "paused" || a.Reason != acd.ReasonNoAnswer) {
			t.Errorf("1001 after two unanswered offers: %s (%s), want paused (no_answer)", a.State, a.Reason)
		}
	}
	if h.events.count(id2, call.CallEnded) != 0 {
		t.Errorf("the second caller's call ended when 1001 was paused; it should keep waiting")
	}
	// The phone has seen the second ring cancelled too, so no CANCEL of
	// ours is left waiting for its answer when the test stops.
	select {
	case o := <-lazy.Offers():
		if !o.Cancelled {
			t.Errorf("1001's second unanswered ring: %+v, want cancelled", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("1001's second ring was never cancelled")
	}
	_ = second.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, id2)
	_ = first.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, id)
}

func TestRingAllQueueRingsEveryAgent(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	a := h.agentPhone("1001", "pw1001", testphone.NoAnswer)
	b := h.agentPhone("1002", "pw1002", testphone.AutoAnswerAfter(300*time.Millisecond))
	caller := h.dial(h.phone("udp"), "95598")
	id := caller.CallID()
	h.events.waitNode(t, id, "menu")
	press(t, caller, "2")
	waitIncoming(t, b)
	select {
	case o := <-a.Offers():
		if !o.Cancelled {
			t.Errorf("1001's ringing phone: %+v, want cancelled when 1002 answered", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("1001 was not rung or not cancelled")
	}
	_ = caller.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, id)
}

func TestFeatureCodesNeedAuthentication(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	stranger, err := testphone.New(testphone.Config{Server: h.srv.SIPAddr().String(), User: "1001", Password: "guess"})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	_, err = stranger.Call(ctxT(t, 5*time.Second), "*21")
	wantStatus(t, "wrong password", err, 401)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	h.feature(agent, "*23")
	h.events.wait(t, "", "paused", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "paused"
	})
	h.feature(agent, "*24")
	h.feature(agent, "*22")
	h.events.wait(t, "", "logged out", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "logged_out"
	})
	_ = context.Background()
}

func TestAgentControlThroughTheAPI(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	base := "http://" + h.srv.HTTPAddr() + "/api/v1"
	request := func(method, path, token string) (int, string) {
		req, _ := http.NewRequest(method, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	h.registerAgent("1001", "pw1001")
	if code, body := request("POST", "/agents/1001/login", "agent-1001-token-0123"); code != 200 || !strings.Contains(body, `"state":"available"`) {
		t.Fatalf("login: %d %s", code, body)
	}
	if code, _ := request("POST", "/agents/1002/login", "agent-1001-token-0123"); code != 403 {
		t.Errorf("agent 1001's token logged in 1002: %d", code)
	}
	// 1002's phone is not registered: nobody could ring it.
	if code, body := request("POST", "/agents/1002/login", "supervisor-token-0123"); code != 409 || !strings.Contains(body, "no registered phone") {
		t.Errorf("supervisor login of unregistered 1002: %d %s", code, body)
	}
	h.registerAgent("1002", "pw1002")
	if code, body := request("POST", "/agents/1002/login", "supervisor-token-0123"); code != 200 || !strings.Contains(body, `"registered":true`) {
		t.Errorf("supervisor login of 1002: %d %s", code, body)
	}
	code, body := request("GET", "/queues", "supervisor-token-0123")
	if code != 200 || !strings.Contains(body, `"name":"general"`) || !strings.Contains(body, `"available":2`) {
		t.Errorf("queues: %d %s", code, body)
	}
	res, err := http.Get("http://" + h.srv.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `hotline_agents{queue="general",state="available"} 2`) {
		t.Errorf("/metrics lacks the agent gauge")
	}
}

func TestBlindTransferToAnotherQueue(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	first := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	second := h.agentPhone("1002", "pw1002", testphone.NoAnswer)
	caller, id := h.dialAndPress("0")
	// 1001 has been idle longest (logged in first) and answers.
	leg := waitIncoming(t, first)
	h.events.wait(t, id, "1001 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	second.SetAnswerMode(testphone.AutoAnswer)
	code, err := leg.Refer(ctxT(t, 5*time.Second), "billing")
	if err != nil || code != 202 {
		t.Fatalf("REFER: %d %v", code, err)
	}
	h.events.wait(t, id, "transferred", func(e call.Event) bool {
		return e.Kind == call.Transferred && e.TransferKind == "blind" && e.Target == "queue:billing"
	})
	select {
	case <-leg.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the transferring agent's leg was not released")
	}
	if final, err := leg.WaitReferFinal(ctxT(t, 5*time.Second)); err != nil || final != 200 {
		t.Errorf("transfer NOTIFY: %d %v", final, err)
	}
	waitIncoming(t, second)
	h.events.wait(t, id, "1002 answered in billing", func(e call.Event) bool {
		return e.Kind == call.AgentAnswered && e.Agent == "1002" && e.Queue == "billing"
	})
	_ = caller.Hangup(ctxT(t, 5*time.Second))
	if end := h.events.waitEnd(t, id); end.Result != call.ResultAnsweredByAgent {
		t.Errorf("result %s", end.Result)
	}
}

func TestBlindTransferToAnAgent(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	first := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id := h.dialAndPress("0")
	leg := waitIncoming(t, first)
	h.events.wait(t, id, "1001 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })

	// 1002 is not logged in: the transfer fails and the caller stays.
	if code, err := leg.Refer(ctxT(t, 5*time.Second), "1002"); err != nil || code != 202 {
		t.Fatalf("REFER: %d %v", code, err)
	}
	if final, err := leg.WaitReferFinal(ctxT(t, 5*time.Second)); err != nil || final != 480 {
		t.Errorf("transfer to a logged-out agent: NOTIFY %d %v, want 480", final, err)
	}
	select {
	case <-leg.Done():
		t.Fatal("a failed transfer must not drop the call")
	case <-time.After(300 * time.Millisecond):
	}

	second := h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	if code, err := leg.Refer(ctxT(t, 5*time.Second), "1002"); err != nil || code != 202 {
		t.Fatalf("REFER: %d %v", code, err)
	}
	h.events.wait(t, id, "transferred to 1002", func(e call.Event) bool {
		return e.Kind == call.Transferred && e.Target == "queue:agent:1002"
	})
	waitIncoming(t, second)
	h.events.wait(t, id, "1002 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1002" })
	_ = caller.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, id)
}
