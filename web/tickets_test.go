package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/web/internal/webtest"
)

func TestTicketAPIStatusCodes(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, nil, WithServerClock(func() time.Time { return docNow }))
	fake := &webtest.Tickets{}
	s.WithTickets(fake, docTokens, time.UTC)
	cases := []struct {
		method, path, body string
		role               Role
		header             map[string]string
		want               int
	}{
		{"POST", "/api/v1/tickets", `{"category":"complaint","description":"x"}`, RoleAgent, nil, 201},
		{"POST", "/api/v1/tickets", `{"category":"praise","description":"x"}`, RoleAgent, nil, 400},
		{"POST", "/api/v1/tickets", `{"category":"complaint","colour":"red"}`, RoleAgent, nil, 400},
		{"POST", "/api/v1/tickets", `{"category":"complaint"}`, "", nil, 401},
		{"GET", "/api/v1/tickets/1001", "", RoleAgent, nil, 200},
		{"GET", "/api/v1/tickets/9", "", RoleAgent, nil, 404},
		{"POST", "/api/v1/tickets/1001/close", "", RoleAgent, nil, 409},
		{"POST", "/api/v1/tickets/1001/note", `{"note":"called"}`, RoleAgent, nil, 200},
		{"GET", "/api/v1/tickets?state=open&overdue=true&limit=50", "", RoleAgent, nil, 200},
		{"GET", "/api/v1/tickets?overdue=maybe", "", RoleAgent, nil, 400},
		{"GET", "/api/v1/tickets?limit=5000", "", RoleAgent, nil, 400},
		{"GET", "/api/v1/tickets/figures", "", RoleAgent, nil, 403},
		{"GET", "/api/v1/tickets/figures?from=2026-11-01", "", RoleSupervisor, nil, 200},
		{"GET", "/api/v1/reports/repeat-complainers?month=2026-13", "", RoleSupervisor, nil, 400},
		{"GET", "/api/v1/reports/repeat-complainers?month=2026-11", "", RoleSupervisor, nil, 200},
		{"POST", "/api/v1/tickets/sync", `{"ticket":"1001","action":"assign"}`, "", map[string]string{"X-Hotline-Signature": "sha256=bad"}, 401},
		{"POST", "/api/v1/tickets/sync", `{"ticket":"1001","action":"assign"}`, "", map[string]string{"X-Hotline-Signature": "sha256=good"}, 200},
	}
	for _, c := range cases {
		x := docExchange{method: c.method, path: c.path, body: c.body, role: c.role, header: c.header}
		rec := httptest.NewRecorder()
		s.srv.Handler.ServeHTTP(rec, x.request(context.Background()))
		if rec.Code != c.want {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, rec.Code, rec.Body, c.want)
		}
		if c.want == 409 && !strings.Contains(rec.Body.String(), "not been answered") {
			t.Errorf("409 without the reason: %s", rec.Body)
		}
	}
	if len(fake.Calls) < 2 || fake.Calls[0] != "create agent:1001  " {
		t.Errorf("actor as the API gives it: %q", fake.Calls)
	}
}
