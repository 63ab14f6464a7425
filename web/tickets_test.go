package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// docTicket is a ticket as the tickets feature answers it.
type docTicket struct {
	ID          string          `json:"id"`
	Version     int64           `json:"version"`
	Category    string          `json:"category"`
	Urgency     string          `json:"urgency"`
	State       string          `json:"state"`
	Caller      string          `json:"caller,omitempty"`
	Owner       string          `json:"owner,omitempty"`
	CallIDs     []string        `json:"call_ids"`
	Description string          `json:"description"`
	Created     time.Time       `json:"created_at"`
	Updated     time.Time       `json:"updated_at"`
	Due         time.Time       `json:"due_at"`
	Overdue     bool            `json:"overdue"`
	History     []docTicketStep `json:"history,omitempty"`
}

type docTicketStep struct {
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	To     string    `json:"to"`
}

// docTickets is the tickets feature on fakes: ticket "1001" exists and is
// open; closing it is a conflict; a status update signed "sha256=good" is
// taken.
type docTickets struct {
	calls []string // what the panel asked, in order
}

func docTicketView(state string) docTicket {
	return docTicket{ID: "1001", Version: 1, Category: "complaint", Urgency: "normal", State: state,
		Caller: "13800000001", CallIDs: []string{"c1"}, Description: "no power", Created: docNow, Updated: docNow,
		Due:     docNow.Add(24 * time.Hour),
		History: []docTicketStep{{Seq: 1, At: docNow, Actor: "agent:1001", Action: "create", To: "open"}}}
}

func (d *docTickets) CreateTicket(_ context.Context, in TicketInput, actor string) (any, error) {
	if in.Category != "complaint" {
		return nil, fmt.Errorf("%w: category %q: want one of complaint", ErrInvalid, in.Category)
	}
	d.calls = append(d.calls, "create "+actor+" "+in.CallID+" "+in.Owner)
	return docTicketView("open"), nil
}

func (d *docTickets) Ticket(_ context.Context, id string) (any, error) {
	if id != "1001" {
		return nil, fmt.Errorf("%w: ticket %q", ErrNotFound, id)
	}
	return docTicketView("open"), nil
}

func (d *docTickets) ListTickets(_ context.Context, q TicketQuery) (any, error) {
	t := docTicketView("open")
	t.History = nil
	return map[string]any{"tickets": []docTicket{t}, "next_before": "1764000000000_1001"}, nil
}

func (d *docTickets) ChangeTicket(_ context.Context, id, action string, _ TicketChangeInput, actor string) (any, error) {
	d.calls = append(d.calls, action+" "+actor)
	if id != "1001" {
		return nil, fmt.Errorf("%w: ticket %q", ErrNotFound, id)
	}
	if action == "close" {
		return nil, fmt.Errorf("%w: close a ticket that is open: the customer has not been answered yet", ErrConflict)
	}
	return docTicketView("open"), nil
}

func (d *docTickets) SyncTicket(_ context.Context, _ []byte, signature string) (any, error) {
	if signature != "sha256=good" {
		return nil, fmt.Errorf("%w: bad or missing X-Hotline-Signature", ErrUnauthorized)
	}
	return docTicketView("assigned"), nil
}

func (d *docTickets) TicketFigures(_ context.Context, from, to time.Time) (any, error) {
	return map[string]any{"from": from, "to": to, "opened": 3, "closed": 1, "closed_in_deadline": 1, "overdue": 1,
		"median_close_seconds": 3600.0, "overdue_now": 1, "open_now": 2}, nil
}

func (d *docTickets) RepeatComplainers(_ context.Context, month time.Time) (any, error) {
	return map[string]any{"month": month.Format("2006-01"), "five_or_more": []any{}, "ten_or_more": []any{}}, nil
}

func (d *docTickets) CallerHistory(_ context.Context, caller string) (any, error) {
	t := docTicketView("assigned")
	t.History = nil
	return map[string]any{"caller": caller, "open_tickets": []docTicket{t}, "last_calls": []map[string]any{
		{"call_id": "c0", "arrived_at": docNow.Add(-time.Hour), "result": "answered_by_agent", "talk_seconds": 60.0},
	}}, nil
}

func (d *docTickets) Categories() []string { return []string{"complaint", "suggestion"} }

func (d *docTickets) CallCustomer(_ context.Context, id, agent string) error {
	d.calls = append(d.calls, "call "+id+" "+agent)
	return nil
}

func TestTicketAPIStatusCodes(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, nil, WithServerClock(func() time.Time { return docNow }))
	fake := &docTickets{}
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
	if len(fake.calls) < 2 || fake.calls[0] != "create agent:1001  " {
		t.Errorf("actor as the API gives it: %q", fake.calls)
	}
}

// The panel's ticket form takes the call, caller, language and IVR account
// from the agent's own call and makes the agent the owner.
func TestPanelTicketFormUsesTheAgentsCall(t *testing.T) {
	fake := &docTickets{}
	r := newPanelRig(t, WithPanelTickets(fake))
	c := r.client()
	if code, _, _ := r.login(c, "1001", "pw1001"); code != 200 {
		t.Fatalf("login %d", code)
	}
	if code, _, _ := r.do(c, "POST", "/agent/api/tickets", `{"category":"complaint","description":"x"}`, true); code != 409 {
		t.Fatalf("ticket without a call: %d, want 409", code)
	}
	r.src.setCall("1001", &PanelCall{CallID: "c9", Caller: "13800000009", Language: "en",
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
	if strings.Join(fake.calls, "|") != strings.Join(want, "|") {
		t.Fatalf("the panel asked %q, want %q", fake.calls, want)
	}
}
