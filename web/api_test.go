package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

type fakeControl struct {
	mu     sync.Mutex
	states map[string]string
}

func (f *fakeControl) Agents() []AgentView {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []AgentView
	for _, id := range []string{"1001", "1002"} {
		out = append(out, AgentView{ID: id, State: f.states[id]})
	}
	return out
}
func (f *fakeControl) Queues() []QueueView { return []QueueView{{Name: "general", Waiting: 2}} }
func (f *fakeControl) set(agent, state string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.states[agent]; !ok {
		return ErrNotFound
	}
	if state == "available" && f.states[agent] == "available" {
		return errors.New("already available")
	}
	f.states[agent] = state
	return nil
}
func (f *fakeControl) Login(a string) error                   { return f.set(a, "available") }
func (f *fakeControl) Logout(a string) error                  { return f.set(a, "logged_out") }
func (f *fakeControl) Ready(a string) error                   { return f.set(a, "available") }
func (f *fakeControl) Pause(a, reason string) error           { return f.set(a, "paused:"+reason) }
func (f *fakeControl) Disposition(string, string, bool) error { return nil }

func TestAPIRolesAndActions(t *testing.T) {
	ctl := &fakeControl{states: map[string]string{"1001": "logged_out", "1002": "logged_out"}}
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.WithAPI(ctl, []Token{
		NewToken("sup", "supervisor-secret-123", RoleSupervisor, ""),
		NewToken("a1", "agent-1001-secret-123", RoleAgent, "1001"),
	})
	do := func(method, path, token, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		s.mux.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	cases := []struct {
		method, path, token, body string
		code                      int
		contains                  string
	}{
		{"GET", "/api/v1/agents", "", "", 401, "missing bearer token"},
		{"GET", "/api/v1/agents", "wrong-token-xxxxxxxx", "", 401, "unknown token"},
		{"GET", "/api/v1/agents", "agent-1001-secret-123", "", 200, `"id":"1001"`},
		{"POST", "/api/v1/agents/1001/login", "agent-1001-secret-123", "", 200, `"state":"available"`},
		{"POST", "/api/v1/agents/1001/login", "agent-1001-secret-123", "", 409, "already available"},
		{"POST", "/api/v1/agents/1002/login", "agent-1001-secret-123", "", 403, "own agent"},
		{"POST", "/api/v1/agents/1002/pause", "supervisor-secret-123", `{"reason":"training"}`, 200, `"state":"paused:training"`},
		{"POST", "/api/v1/agents/9999/login", "supervisor-secret-123", "", 404, "not found"},
		{"POST", "/api/v1/agents/1001/dance", "supervisor-secret-123", "", 404, "unknown action"},
		{"POST", "/api/v1/agents/1001/pause", "supervisor-secret-123", `{bad json`, 400, "body"},
		{"GET", "/api/v1/queues", "agent-1001-secret-123", "", 403, "may not"},
		{"GET", "/api/v1/queues", "supervisor-secret-123", "", 200, `"waiting":2`},
	}
	for _, tc := range cases {
		code, body := do(tc.method, tc.path, tc.token, tc.body)
		if code != tc.code || !strings.Contains(body, tc.contains) {
			t.Errorf("%s %s: %d %s, want %d containing %q", tc.method, tc.path, code, body, tc.code, tc.contains)
		}
	}
	// The agent's list shows only itself.
	if _, body := do("GET", "/api/v1/agents", "agent-1001-secret-123", ""); strings.Contains(body, "1002") {
		t.Errorf("agent token sees other agents: %s", body)
	}
}

type emptyControl struct{ fakeControl }

func (*emptyControl) Agents() []AgentView { return nil }
func (*emptyControl) Queues() []QueueView { return nil }

// Lists are JSON arrays even when empty: a client iterating over them must
// not meet null.
func TestEmptyListsAreArraysNotNull(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.WithAPI(&emptyControl{}, []Token{NewToken("sup", "supervisor-secret-123", RoleSupervisor, "")})
	for _, path := range []string{"/api/v1/agents", "/api/v1/queues"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer supervisor-secret-123")
		rec := httptest.NewRecorder()
		s.mux.ServeHTTP(rec, req)
		if got := strings.TrimSpace(rec.Body.String()); rec.Code != 200 || got != "[]" {
			t.Errorf("GET %s with nothing to list: %d %s, want 200 []", path, rec.Code, got)
		}
	}
}
