package app

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// apiRequest sends one REST API request with an optional JSON body and
// returns status and body.
func (h *harness) apiRequest(t *testing.T, method, path, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+h.srv.HTTPAddr()+"/api/v1"+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

const adminToken = "admin-token-0123456"

func TestSupervisorActionsAreAudited(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	h.registerAgent("1001", "pw1001")
	if code, body := h.apiRequest(t, "POST", "/agents/1001/login", "supervisor-token-0123", ""); code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
	if code, body := h.apiRequest(t, "POST", "/agents/1001/pause", "supervisor-token-0123", `{"reason":"training"}`); code != 200 {
		t.Fatalf("pause: %d %s", code, body)
	}
	h.apiRequest(t, "GET", "/agents", "supervisor-token-0123", "")                 // reads are not audited
	h.apiRequest(t, "POST", "/agents/1002/logout", "not-a-valid-token-at-all", "") // refused: audited
	if code, _ := h.apiRequest(t, "GET", "/audit", "supervisor-token-0123", ""); code != http.StatusForbidden {
		t.Fatalf("a supervisor read the audit log: %d", code)
	}
	// A supervisor action that comes from a softphone, not the API.
	h.srv.audit("supervisor-phone", "supervisor", "sip barge", "call-42", "agent 1001", "127.0.0.2")
	if err := h.srv.Store().Flush(ctxT(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if code, body := h.apiRequest(t, "GET", "/audit?actor=supervisor-phone", adminToken, ""); code != 200 ||
		!strings.Contains(body, `"action":"sip barge"`) || !strings.Contains(body, `"detail":{"note":"agent 1001"}`) ||
		!strings.Contains(body, `"source":"127.0.0.2"`) || !strings.Contains(body, `"result":"ok"`) {
		t.Fatalf("softphone action: %d %s", code, body)
	}
	code, body := h.apiRequest(t, "GET", "/audit?action=pause", adminToken, "")
	var entries []struct {
		At     time.Time         `json:"at"`
		Actor  string            `json:"actor"`
		Role   string            `json:"role"`
		Action string            `json:"action"`
		Target string            `json:"target"`
		Detail map[string]string `json:"detail"`
		Source string            `json:"source"`
		Result string            `json:"result"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &entries) != nil || len(entries) != 1 {
		t.Fatalf("audit: %d %s", code, body)
	}
	e := entries[0]
	if e.Actor != "sup" || e.Role != "supervisor" || e.Action != "POST /api/v1/agents/{id}/{action}" ||
		e.Target != "/api/v1/agents/1001/pause" || e.Detail["id"] != "1001" || e.Detail["reason"] != "training" ||
		e.Source != "127.0.0.1" || e.Result != "200" || e.At.IsZero() {
		t.Fatalf("entry %+v", e)
	}
	code, body = h.apiRequest(t, "GET", "/audit?action=/api/", adminToken, "")
	if code != 200 || strings.Count(body, `"actor":`) != 3 || !strings.Contains(body, `"actor":"anonymous"`) ||
		!strings.Contains(body, `"result":"401"`) || strings.Contains(body, "not-a-valid-token") {
		t.Fatalf("full log: %d %s", code, body)
	}
}
