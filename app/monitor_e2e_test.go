package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

// Each party sends its own tone; none is a harmonic of another.
const (
	callerTone     = 500.0
	agentTone      = 1300.0
	supervisorTone = 2100.0
	// toneWindow is how much fresh audio a check looks at.
	toneWindow = 300 * time.Millisecond
	// A tone the phone sends (amplitude 8192) measures thousands through
	// the server; one that is absent, a few dozen at most.
	toneHeard  = 2000.0
	toneAbsent = 600.0
)

func withSupervisors(cfg *config.Config) {
	cfg.Supervisors = []config.Supervisor{
		{ID: "2001", Name: "Zhang", Password: "sup2001", Agents: []string{"*"}},
		{ID: "2002", Name: "Park", Password: "sup2002", Agents: []string{"1002"}},
		{ID: "2003", Name: "Choi", Password: "sup2003", Agents: []string{"*"}}, // never registers a phone
	}
}

// supervisorPhone registers a supervisor's softphone.
func (h *harness) supervisorPhone(id, password string) *testphone.Phone {
	h.t.Helper()
	return h.registeredPhone(testphone.Config{User: id, Password: password})
}

// talkingCall queues a caller to agent 1001 and returns both ends, each
// sending its tone.
func (h *harness) talkingCall() (caller, leg *testphone.Call, id string) {
	h.t.Helper()
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id = h.dialAndPress("0")
	leg = h.agentAnswers(agent, id, "1001")
	waitQuiet(h.t, caller) // "agent 1024 will serve you"
	caller.SendTone(callerTone)
	leg.SendTone(agentTone)
	hears(h.t, leg, "agent", callerTone)
	hears(h.t, caller, "caller", agentTone)
	return caller, leg, id
}

// hears waits until c's fresh audio carries tone.
func hears(t *testing.T, c *testphone.Call, who string, tone float64) {
	t.Helper()
	if err := c.WaitTone(ctxT(t, 10*time.Second), tone, toneWindow, toneHeard); err != nil {
		t.Fatalf("%s never heard %.0f Hz: %v (now %.0f)", who, tone, err, c.ToneAmplitude(tone, toneWindow))
	}
	t.Logf("%s: %.0f Hz at amplitude %.0f", who, tone, c.ToneAmplitude(tone, toneWindow))
}

// deaf checks that the audio c received in the last window (which the
// caller made sure is fresh) lacks tone.
func deaf(t *testing.T, c *testphone.Call, who string, tone float64) {
	t.Helper()
	a := c.ToneAmplitude(tone, toneWindow)
	if a > toneAbsent {
		t.Fatalf("%s hears %.0f Hz at amplitude %.0f", who, tone, a)
	}
	t.Logf("%s: %.0f Hz at amplitude %.0f (absent)", who, tone, a)
}

func (h *harness) waitMonitor(kind call.Kind, mode, reason string) call.Event {
	h.t.Helper()
	return h.events.wait(h.t, "", kind.String()+" "+mode, func(e call.Event) bool {
		return e.Kind == kind && e.Detail == mode && e.Reason == reason
	})
}

func TestSupervisorListensWhispersAndBargesFromPhone(t *testing.T) {
	h := start(t, acdTestConfig, withSupervisors)
	caller, leg, id := h.talkingCall()
	supPhone := h.supervisorPhone("2001", "sup2001")
	sup := h.dial(supPhone, "*311001")
	sup.SendTone(supervisorTone)
	ev := h.waitMonitor(call.MonitorStarted, "listen", "")
	if ev.Target != "2001" || ev.Agent != "1001" || ev.CallID != "" {
		t.Fatalf("monitor event %+v", ev)
	}

	// Listen: the supervisor hears both; neither hears the supervisor.
	hears(t, sup, "supervisor", callerTone)
	hears(t, sup, "supervisor", agentTone)
	hears(t, leg, "agent", callerTone)
	hears(t, caller, "caller", agentTone)
	deaf(t, leg, "agent (listen)", supervisorTone)
	deaf(t, caller, "caller (listen)", supervisorTone)

	// Whisper: the agent hears the supervisor, the caller still does not.
	press(t, sup, "2")
	h.waitMonitor(call.MonitorStarted, "whisper", "mode_change")
	hears(t, leg, "agent (whisper)", supervisorTone)
	hears(t, caller, "caller", agentTone)
	deaf(t, caller, "caller (whisper)", supervisorTone)
	hears(t, sup, "supervisor (whisper)", callerTone)

	// Barge: everyone hears everyone.
	press(t, sup, "3")
	h.waitMonitor(call.MonitorStarted, "barge", "mode_change")
	hears(t, caller, "caller (barge)", supervisorTone)
	hears(t, leg, "agent (barge)", supervisorTone)

	// The supervisor leaves; caller and agent go on talking.
	if err := sup.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.waitMonitor(call.MonitorEnded, "barge", "supervisor_hangup")
	hears(t, caller, "caller after the supervisor left", agentTone)
	hears(t, leg, "agent after the supervisor left", callerTone)
	deaf(t, caller, "caller after the supervisor left", supervisorTone)

	if got := h.metric("hotline_monitor_sessions_total", "mode", "listen"); got != 1 {
		t.Errorf("hotline_monitor_sessions_total{mode=listen} = %v", got)
	}
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAnsweredByAgent {
		t.Fatalf("call result %s", end.Result)
	}
	// The supervisor's call is internal: it is no hotline call.
	if got := h.metric("hotline_calls_total", "result", "answered_by_agent"); got != 1 {
		t.Errorf("hotline_calls_total{answered_by_agent} = %v", got)
	}
	audit := h.monitorAudit("2001")
	want := []string{"monitor_listen", "monitor_whisper", "monitor_barge", "monitor_end"}
	if got := auditActions(audit); !slices.Equal(got, want) {
		t.Fatalf("audit actions %v, want %v", got, want)
	}
	var detail map[string]string
	if err := json.Unmarshal([]byte(audit[0].Detail), &detail); err != nil || detail["via"] != "sip" ||
		detail["call_id"] != id || audit[0].Agent != "1001" || audit[0].Source == "" || audit[0].Role != "supervisor" {
		t.Fatalf("first audit row %+v (%v)", audit[0], err)
	}
}

func TestMonitorRefusals(t *testing.T) {
	h := start(t, acdTestConfig, withSupervisors)
	_, _, _ = h.talkingCall()

	// An agent is no supervisor: refused by voice.
	colleague := h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	h.feature(colleague, "*311001")
	// A supervisor outside their team, and one asking about an idle agent.
	limited := h.supervisorPhone("2002", "sup2002")
	h.feature(limited, "*311001")
	h.feature(limited, "*311002")
	h.feature(h.supervisorPhone("2001", "sup2001"), "*31999")

	if h.hasEvent("", call.MonitorStarted) {
		t.Fatal("a refused request started a monitor")
	}
	for actor, reason := range map[string]string{
		"1002": "not a supervisor", "2002": "no call", "2001": "unknown agent",
	} {
		rows := h.monitorAudit(actor)
		found := false
		for _, r := range rows {
			found = found || (r.Action == "monitor_refused" && r.Result == "refused" && strings.Contains(r.Detail, reason))
		}
		if !found {
			t.Errorf("no refusal %q audited for %s: %+v", reason, actor, rows)
		}
	}
	rows := h.monitorAudit("2002")
	if len(rows) != 2 || !strings.Contains(rows[0].Detail+rows[1].Detail, "may not monitor") {
		t.Errorf("2002's refusals %+v", rows)
	}
}

func TestMonitorFromTheAPI(t *testing.T) {
	h := start(t, acdTestConfig, withSupervisors)
	const supToken = "supervisor-token-0123"
	code, body := h.apiRequest(t, "POST", "/monitor", supToken, `{"supervisor":"2001","agent":"1001","mode":"barge"}`)
	if code != 404 || !strings.Contains(body, "has no call") {
		t.Fatalf("monitor an idle agent: %d %s", code, body)
	}
	caller, leg, id := h.talkingCall()
	supPhone := h.supervisorPhone("2001", "sup2001")
	for _, tc := range []struct {
		token, body string
		code        int
		want        string
	}{
		{"agent-1001-token-0123", `{"supervisor":"2001","agent":"1001"}`, 403, "may not do this"},
		{supToken, `{"supervisor":"2001","agent":"1001","mode":"spy"}`, 400, "mode: want listen, whisper or barge"},
		{supToken, `{"supervisor":"x","agent":"1001"}`, 400, "supervisor: want"},
		{supToken, `{"supervisor":"2001","agent":"1001","extra":1}`, 400, "unknown field"},
		{supToken, `{"supervisor":"2009","agent":"1001"}`, 404, "not a supervisor"},
		{supToken, `{"supervisor":"2002","agent":"1001"}`, 403, "may not monitor"},
		{supToken, `{"supervisor":"2001","agent":"1003"}`, 404, "unknown agent"},
	} {
		if code, body := h.apiRequest(t, "POST", "/monitor", tc.token, tc.body); code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s; want %d %q", tc.body, code, body, tc.code, tc.want)
		}
	}
	if code, body := h.apiRequest(t, "POST", "/monitor", supToken, `{"supervisor":"2003","agent":"1001"}`); code != 409 || !strings.Contains(body, "no registered phone") {
		t.Errorf("a supervisor without a phone: %d %s", code, body)
	}
	// A supervisor who declines is audited, and the call is free to
	// monitor again at once.
	supPhone.SetAnswerMode(testphone.Reject(603))
	if code, body := h.apiRequest(t, "POST", "/monitor", supToken, `{"supervisor":"2001","agent":"1001"}`); code != 202 {
		t.Fatalf("monitor: %d %s", code, body)
	}
	h.waitAudit("2001", "supervisor not reached")
	supPhone.SetAnswerMode(testphone.AutoAnswer)
	code, body = h.apiRequest(t, "POST", "/monitor", supToken, `{"supervisor":"2001","agent":"1001","mode":"barge"}`)
	if code != 202 || !strings.Contains(body, `"status":"ringing"`) || !strings.Contains(body, `"call_id":"`+id+`"`) {
		t.Fatalf("monitor: %d %s", code, body)
	}
	sup := waitIncoming(t, supPhone)
	sup.SendTone(supervisorTone)
	h.waitMonitor(call.MonitorStarted, "barge", "")
	hears(t, sup, "supervisor", callerTone)
	hears(t, sup, "supervisor", agentTone)
	hears(t, caller, "caller (barge)", supervisorTone)
	hears(t, leg, "agent (barge)", supervisorTone)
	if code, body := h.apiRequest(t, "POST", "/monitor", supToken, `{"supervisor":"2002","agent":"1001"}`); code != 403 {
		t.Errorf("outside the team while monitored: %d %s", code, body)
	}
	if code, body := h.apiRequest(t, "POST", "/monitor", supToken, `{"supervisor":"2001","agent":"1001"}`); code != 409 || !strings.Contains(body, "already monitored") {
		t.Errorf("a second monitor on the same call: %d %s", code, body)
	}

	// The caller hangs up: the supervisor hears why, then gets a BYE.
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.waitMonitor(call.MonitorEnded, "barge", "call_ended")
	select {
	case <-sup.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("the supervisor's leg was not hung up after the call ended")
	}
	rows := h.monitorAudit("2001")
	if acts := auditActions(rows); !slices.Contains(acts, "monitor_barge") || !slices.Contains(acts, "monitor_end") {
		t.Fatalf("audit %v", acts)
	}
	for _, r := range rows {
		if r.Action == "monitor_barge" && (!strings.Contains(r.Detail, `"via":"api"`) || !strings.Contains(r.Detail, `"token":"sup"`)) {
			t.Errorf("API monitor audited as %+v", r)
		}
	}
}

func (h *harness) monitorAudit(actor string) []store.AuditEntry {
	h.t.Helper()
	h.flushStore()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := h.srv.Store().AuditLog(ctx, store.AuditFilter{Actor: actor})
	if err != nil {
		h.t.Fatal(err)
	}
	slices.SortStableFunc(rows, func(a, b store.AuditEntry) int { return a.At.Compare(b.At) })
	return rows
}

// waitAudit waits until actor has an audit row whose detail mentions note.
func (h *harness) waitAudit(actor, note string) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, r := range h.monitorAudit(actor) {
			if strings.Contains(r.Detail, note) {
				return
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no audit row of %s mentions %q", actor, note)
		}
		time.Sleep(50 * time.Millisecond) // rows land through the store's writer queue
	}
}

func auditActions(rows []store.AuditEntry) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Action)
	}
	return out
}
