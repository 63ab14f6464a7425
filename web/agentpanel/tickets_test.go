package agentpanel_test

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/internal/webtest"
)

// The panel's ticket form takes the call, caller, language and IVR account
// from the agent's own call and makes the agent the owner.
func TestPanelTicketFormUsesTheAgentsCall(t *testing.T) {
	fake := &webtest.Tickets{}
	r := newPanelRig(t, agentpanel.WithPanelTickets(fake))
	c := r.client()
	if code, _, _ := r.login(c, "1001", "pw1001"); code != 200 {
		t.Fatalf("login %d", code)
	}
	if code, _, _ := r.do(c, "POST", "/agent/api/tickets", `{"category":"complaint","description":"x"}`, true); code != 409 {
		t.Fatalf("ticket without a call: %d, want 409", code)
	}
	r.src.SetCall("1001", &agentpanel.PanelCall{CallID: "c9", Caller: "13800000009", Language: "en",
		Vars: map[string]string{"account": "1001234567"}, Current: true})
	if code, body, _ := r.do(c, "POST", "/agent/api/tickets", `{"category":"complaint","urgency":"urgent","description":"x"}`, false); code != 403 {
		t.Fatalf("without the panel header: %d %v", code, body)
	}
	if code, body, _ := r.do(c, "POST", "/agent/api/tickets", `{"category":"complaint","urgency":"urgent","description":"x"}`, true); code != 201 {
		t.Fatalf("ticket: %d %v", code, body)
	}
	code, body, _ := r.do(c, "GET", "/agent/api/customer", "", false)
	if code != 200 || body["caller"] != "13800000009" {
		t.Fatalf("customer: %d %v", code, body)
	}
	if code, _, _ := r.do(c, "POST", "/agent/api/tickets/1001/call", "", true); code != 202 {
		t.Fatalf("call: %d", code)
	}
	want := []string{"create agent:1001 c9 1001", "call 1001 1001"}
	if strings.Join(fake.Calls, "|") != strings.Join(want, "|") {
		t.Fatalf("the panel asked %q, want %q", fake.Calls, want)
	}
}
