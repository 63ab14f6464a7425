package app

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/web"
)

// agentState is the agent's state as the REST API reports it.
func (h *harness) agentState(id string) string {
	h.t.Helper()
	for _, a := range h.srv.agentControl().Agents() {
		if a.ID == id {
			return a.State
		}
	}
	h.t.Fatalf("no agent %s", id)
	return ""
}

// panelRaw posts to the panel and returns the status and body as sent.
func (c *panelClient) raw(path, body string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(body))
	req.Header.Set(web.PanelHeader, "1")
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

// An agent whose softphone is not registered cannot log in, from the
// panel, the API or a feature code: every offer to it would fail while the
// caller waits. Losing the registration logs the agent out; registering
// again does not log it back in.
func TestAgentWithoutRegisteredPhoneCannotLogIn(t *testing.T) {
	h := start(t, agentPanelTestConfig, nil)
	panel := h.panelClient()
	panel.do("POST", "/agent/login", `{"agent":"1001","password":"pw1001"}`, http.StatusOK)
	code, body := panel.raw("/agent/api/state", `{"action":"login"}`)
	if code != http.StatusConflict || !strings.Contains(body, "agent 1001 cannot log in: no registered phone") {
		t.Errorf("panel log-in without a phone: %d %s", code, body)
	}

	// A phone that authenticates its calls but never registered.
	unregistered, err := testphone.New(testphone.Config{Server: h.srv.SIPAddr().String(), User: "1001", Password: "pw1001"})
	if err != nil {
		t.Fatal(err)
	}
	defer unregistered.Close()
	h.feature(unregistered, "*21") // answered with the "feature failed" prompt
	if got := h.agentState("1001"); got != "logged_out" {
		t.Fatalf("after *21 from an unregistered phone 1001 is %s", got)
	}

	phone := h.registerAgent("1001", "pw1001")
	if v := panel.do("POST", "/agent/api/state", `{"action":"login"}`, http.StatusOK); v.Agent.State != "available" || !v.Agent.Registered {
		t.Fatalf("log in with a registered phone: %+v", v.Agent)
	}
	if err := phone.Unregister(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.waitAgentState("1001", "logged_out", "")
	if v := panel.me(); v.Agent.Registered || v.Agent.State != "logged_out" {
		t.Errorf("after unregistering: %+v", v.Agent)
	}
	if err := phone.Register(ctxT(t, 5*time.Second), "pw1001", time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := h.agentState("1001"); got != "logged_out" {
		t.Errorf("registering again logged 1001 in: %s", got)
	}
}
