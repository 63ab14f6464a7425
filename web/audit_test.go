package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
)

type memAudit struct {
	mu      sync.Mutex
	entries []AuditEntry
	query   AuditQuery
}

func (m *memAudit) Record(e AuditEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append(m.entries, e)
}

func (m *memAudit) Read(_ context.Context, q AuditQuery) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.query = q
	return m.entries, nil
}

func (m *memAudit) all() []AuditEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]AuditEntry(nil), m.entries...)
}

var auditNow = time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)

func auditServer(t *testing.T, proxies ...netip.Prefix) (*Server, *fakeControl, *memAudit) {
	t.Helper()
	ctl := &fakeControl{states: map[string]string{"1001": "logged_out", "1002": "logged_out"}}
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tokens := []Token{
		NewToken("sup", "supervisor-secret-123", RoleSupervisor, ""),
		NewToken("a1", "agent-1001-secret-123", RoleAgent, "1001"),
		NewToken("adm", "admin-secret-1234567", RoleAdmin, ""),
	}
	s.WithAPI(ctl, tokens)
	// A write route that takes a password, as the agent panel's login does.
	s.mux.HandleFunc("POST /agent/login", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Agent, Password string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body.Password != "s3cret-pass" {
			webkit.WriteError(w, http.StatusUnauthorized, "bad password")
			return
		}
		NoteActor(r.Context(), "agent:"+body.Agent, RoleAgent, body.Agent)
		webkit.WriteJSON(w, http.StatusOK, map[string]string{"ok": "yes"})
	})
	log := &memAudit{}
	s.WithAudit(log, tokens, AuditOptions{Now: func() time.Time { return auditNow }, TrustedProxies: proxies})
	return s, ctl, log
}

func serve(s *Server, method, path, token, body string, mod ...func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, m := range mod {
		m(req)
	}
	rec := httptest.NewRecorder()
	s.srv.Handler.ServeHTTP(rec, req)
	return rec
}

func TestAuditRecordsWrites(t *testing.T) {
	s, ctl, log := auditServer(t)
	rec := serve(s, "POST", "/api/v1/agents/1001/pause", "supervisor-secret-123",
		`{"reason":"lunch","password":"hunter2","token":"x"}`)
	if rec.Code != 200 || ctl.states["1001"] != "paused:lunch" {
		t.Fatalf("pause: %d %s, state %s (the handler must still read the body)", rec.Code, rec.Body, ctl.states["1001"])
	}
	serve(s, "GET", "/api/v1/agents", "supervisor-secret-123", "")
	serve(s, "GET", "/api/v1/agents/1001", "supervisor-secret-123", "")
	got := log.all()
	if len(got) != 1 {
		t.Fatalf("want one entry (GETs are not audited), got %+v", got)
	}
	e := got[0]
	want := AuditEntry{
		At: auditNow, Actor: "sup", Role: RoleSupervisor, Action: "POST /api/v1/agents/{id}/{action}",
		Target: "/api/v1/agents/1001/pause", Source: "192.0.2.1", Result: "200",
		Detail: map[string]string{"id": "1001", "action": "pause", "reason": "lunch"},
	}
	if e.At != want.At || e.Actor != want.Actor || e.Role != want.Role || e.Action != want.Action ||
		e.Target != want.Target || e.Source != want.Source || e.Result != want.Result || len(e.Detail) != 3 ||
		e.Detail["id"] != "1001" || e.Detail["action"] != "pause" || e.Detail["reason"] != "lunch" {
		t.Fatalf("entry\n got  %+v\n want %+v", e, want)
	}
}

func TestAuditFailedAuth(t *testing.T) {
	s, _, log := auditServer(t)
	serve(s, "POST", "/api/v1/agents/1002/logout", "", "")
	serve(s, "POST", "/api/v1/agents/1002/logout", "not-a-token-at-all", "")
	serve(s, "POST", "/api/v1/agents/1002/logout", "agent-1001-secret-123", "")
	serve(s, "POST", "/agent/login", "", `{"agent":"1001","password":"wrong-guess"}`)
	serve(s, "POST", "/agent/login", "", `{"agent":"1001","password":"s3cret-pass"}`)
	got := log.all()
	want := []struct{ actor, result string }{
		{"anonymous", "401"}, {"anonymous", "401"}, {"a1", "403"}, {"anonymous", "401"}, {"agent:1001", "200"},
	}
	if len(got) != len(want) {
		t.Fatalf("entries %+v", got)
	}
	for i, w := range want {
		if got[i].Actor != w.actor || got[i].Result != w.result {
			t.Fatalf("entry %d: %+v, want actor %s result %s", i, got[i], w.actor, w.result)
		}
	}
	for _, e := range got {
		b, _ := json.Marshal(e)
		for _, secret := range []string{"s3cret-pass", "wrong-guess", "not-a-token", "password"} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("entry leaks %q: %s", secret, b)
			}
		}
	}
}

func TestAuditSourceAndProxies(t *testing.T) {
	xff := func(r *http.Request) {
		r.RemoteAddr = "10.0.0.5:4000"
		r.Header.Set("X-Forwarded-For", "198.51.100.9, 10.0.0.4")
	}
	s, _, log := auditServer(t)
	serve(s, "POST", "/api/v1/agents/1001/login", "supervisor-secret-123", "", xff)
	if src := log.all()[0].Source; src != "10.0.0.5" {
		t.Fatalf("untrusted peer: source %s (X-Forwarded-For must be ignored)", src)
	}
	s, _, log = auditServer(t, netip.MustParsePrefix("10.0.0.0/24"))
	serve(s, "POST", "/api/v1/agents/1001/login", "supervisor-secret-123", "", xff)
	if src := log.all()[0].Source; src != "198.51.100.9" {
		t.Fatalf("trusted proxies: source %s, want the client", src)
	}
}

func TestAuditReadNeedsAdmin(t *testing.T) {
	s, _, log := auditServer(t)
	serve(s, "POST", "/api/v1/agents/1001/login", "supervisor-secret-123", "")
	if rec := serve(s, "GET", "/api/v1/audit", "supervisor-secret-123", ""); rec.Code != http.StatusForbidden {
		t.Fatalf("supervisor read the audit log: %d", rec.Code)
	}
	rec := serve(s, "GET", "/api/v1/audit?from=2026-11-23&to=2026-11-24T00:00:00Z&actor=sup&action=login&limit=5", "admin-secret-1234567", "")
	var entries []AuditEntry
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &entries) != nil || len(entries) != 1 {
		t.Fatalf("admin read: %d %s", rec.Code, rec.Body)
	}
	q := log.query
	if !q.From.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) || !q.To.Equal(q.From.AddDate(0, 0, 1)) ||
		q.Actor != "sup" || q.Action != "login" || q.Limit != 5 {
		t.Fatalf("query %+v", q)
	}
	for _, bad := range []string{"?limit=0", "?limit=x", "?from=yesterday", "?from=2026-11-24&to=2026-11-23"} {
		if rec := serve(s, "GET", "/api/v1/audit"+bad, "admin-secret-1234567", ""); rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: %d", bad, rec.Code)
		}
	}
}

type fakeReports struct{}

func (fakeReports) Interval(context.Context, ReportQuery) (Table, error) {
	return Table{JSON: []string{"row"}, CSV: func(w io.Writer) error { _, err := io.WriteString(w, "q\n"); return err }}, nil
}
func (r fakeReports) Agents(ctx context.Context, q ReportQuery) (Table, error) {
	return r.Interval(ctx, q)
}
func (r fakeReports) RepeatCallers(ctx context.Context, q ReportQuery) (Table, error) {
	return r.Interval(ctx, q)
}

func TestReportsNeedAdmin(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler))
	s.WithReports(fakeReports{}, []Token{
		NewToken("sup", "supervisor-secret-123", RoleSupervisor, ""),
		NewToken("adm", "admin-secret-1234567", RoleAdmin, ""),
	}, time.UTC)
	for token, want := range map[string]int{"supervisor-secret-123": 403, "admin-secret-1234567": 200} {
		if rec := serve(s, "GET", "/api/v1/reports/agents", token, ""); rec.Code != want {
			t.Fatalf("token %s: %d, want %d", token, rec.Code, want)
		}
	}
}
