package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/web/internal/webtest"
)

// authorSchedules is docSchedules remembering who made each change.
type authorSchedules struct {
	docSchedules
	mu      sync.Mutex
	authors []string
}

func (a *authorSchedules) note(what, by string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.authors = append(a.authors, what+" "+by)
}

func (a *authorSchedules) CreateShift(ctx context.Context, in ShiftInput, by string) (any, error) {
	a.note("create", by)
	return a.docSchedules.CreateShift(ctx, in, by)
}

func (a *authorSchedules) ImportShifts(ctx context.Context, csv io.Reader, replace bool, by string) (any, error) {
	a.note("import", by)
	return a.docSchedules.ImportShifts(ctx, csv, replace, by)
}

type workRig struct {
	srv       *httptest.Server
	schedules *authorSchedules
	tickets   *webtest.Tickets
	audit     *docAudit
}

func consoleWorkServer(t *testing.T, withWork bool) *workRig {
	t.Helper()
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler))
	floor := webtest.NewFloor(3, 2, 0)
	rig := &workRig{schedules: &authorSchedules{}, tickets: &webtest.Tickets{}, audit: &docAudit{}}
	d := ConsoleDeps{Source: floor, Agents: floor, Period: 20 * time.Millisecond}
	if withWork {
		d.Schedules, d.Tickets = rig.schedules, rig.tickets
		d.TicketCounts = func() TicketCounts { return TicketCounts{Overdue: 3, Open: 7} }
	}
	if err := s.WithConsole(d, consoleTokens); err != nil {
		t.Fatal(err)
	}
	s.WithAudit(rig.audit, consoleTokens, AuditOptions{})
	rig.srv = httptest.NewServer(s.srv.Handler)
	t.Cleanup(func() {
		_ = s.srv.Shutdown(context.Background())
		rig.srv.Close()
	})
	return rig
}

// consoleShift is a shift the fake schedules accept.
const consoleShift = `{"agent":"1001","start":"2026-11-24T08:00:00Z","end":"2026-11-24T16:00:00Z"}`

// consoleWorkRoutes are the schedule and ticket routes behind the
// console's session.
var consoleWorkRoutes = []struct{ method, path, body string }{
	{"GET", "/supervisor/api/shifts", ""},
	{"POST", "/supervisor/api/shifts", consoleShift},
	{"PUT", "/supervisor/api/shifts/1", consoleShift},
	{"DELETE", "/supervisor/api/shifts/1", ""},
	{"POST", "/supervisor/api/shifts/import", "agent,date,start,end\n"},
	{"GET", "/supervisor/api/adherence", ""},
	{"GET", "/supervisor/api/tickets", ""},
	{"GET", "/supervisor/api/tickets/1001", ""},
	{"POST", "/supervisor/api/tickets/1001/assign", `{"owner":"1002"}`},
	{"GET", "/supervisor/api/repeat-complainers", ""},
}

// consoleWorkSteps are what a signed-in supervisor sends, with the
// header, and the status each must get.
var consoleWorkSteps = []struct {
	method, path, body, ctype string
	want                      int
}{
	{"POST", "/supervisor/api/shifts", consoleShift, "application/json", 201},
	{"POST", "/supervisor/api/shifts", `{"agent":"9999","start":"2026-11-24T08:00:00Z","end":"2026-11-24T16:00:00Z"}`, "application/json", 400},
	{"POST", "/supervisor/api/shifts", `{"agent":"1002","start":"2026-11-24T08:00:00Z","end":"2026-11-24T16:00:00Z"}`, "application/json", 409},
	{"POST", "/supervisor/api/shifts", `{"agent":"1001","colour":"red"}`, "application/json", 400},
	{"DELETE", "/supervisor/api/shifts/5", "", "application/json", 404},
	{"POST", "/supervisor/api/shifts/import?replace=maybe", "agent\n", "text/csv", 400},
	{"POST", "/supervisor/api/shifts/import", "agent,date,start,end\n9999,2026-11-24,08:00,16:00\n", "text/csv", 400},
	{"GET", "/supervisor/api/tickets?limit=5000", "", "", 400},
	{"POST", "/supervisor/api/tickets/1001/assign", `{"owner":"1002","note":"today"}`, "application/json", 200},
	{"POST", "/supervisor/api/tickets/1001/close", "", "application/json", 404},
	{"GET", "/supervisor/api/repeat-complainers?month=2026-13", "", "", 400},
}

// The console's schedule and ticket routes need a session, and their
// writes the console header; the author is the signed-in token; the
// audit log has each write under its name.
func TestConsoleSchedulesAndTicketsNeedTheSession(t *testing.T) {
	rig := consoleWorkServer(t, true)
	c := newConsoleClient(t, rig.srv.URL)
	refusesWithoutSessionOrHeader(t, c, rig)
	for _, s := range consoleWorkSteps {
		if code, body := c.do(s.method, s.path, s.body, s.ctype, true); code != s.want {
			t.Errorf("%s %s: %d %s, want %d", s.method, s.path, code, body, s.want)
		}
	}
	_, body := c.do("POST", "/supervisor/api/shifts/import", "agent,date,start,end\n9999,2026-11-24,08:00,16:00\n", "text/csv", true)
	if !strings.Contains(body, `"line":2`) || !strings.Contains(body, `not a configured agent`) {
		t.Errorf("refused import lists no problem by line: %s", body)
	}
	if !slices.Contains(rig.schedules.authors, "create sup") || !slices.Contains(rig.schedules.authors, "import sup") {
		t.Errorf("authors: %v, want the signed-in token's name", rig.schedules.authors)
	}
	if !slices.Equal(rig.tickets.Calls, []string{"assign sup"}) {
		t.Errorf("ticket changes: %v, want one assign by sup (and never a close)", rig.tickets.Calls)
	}
	audited := rig.auditedBy("sup")
	if audited["POST /supervisor/api/shifts"] == "" || audited["POST /supervisor/api/tickets/{id}/assign"] != "200" {
		t.Errorf("audit log: %v", audited)
	}
}

// refusesWithoutSessionOrHeader checks that the work routes refuse a
// client without a session (an agent's token opens none) and, once the
// supervisor has signed in with c, every write without the console
// header; and that nothing refused reached the services.
func refusesWithoutSessionOrHeader(t *testing.T, c *consoleClient, rig *workRig) {
	t.Helper()
	for _, s := range consoleWorkRoutes {
		if code, _ := c.do(s.method, s.path, s.body, "application/json", true); code != http.StatusUnauthorized {
			t.Errorf("%s %s signed out: %d, want 401", s.method, s.path, code)
		}
	}
	// An agent's token opens no session, so it reaches none of them.
	if code, _ := c.post("/supervisor/login", `{"token":"agent-secret"}`, true); code != http.StatusForbidden {
		t.Fatalf("agent sign-in: %d", code)
	}
	if code, _ := c.do("GET", "/supervisor/api/tickets", "", "", false); code != http.StatusUnauthorized {
		t.Fatalf("tickets after an agent's refused sign-in: %d", code)
	}
	if code, body := c.post("/supervisor/login", `{"token":"sup-secret"}`, true); code != http.StatusOK ||
		!strings.Contains(body, `"schedules":true`) || !strings.Contains(body, `"tickets":true`) {
		t.Fatalf("sign-in: %d %s", code, body)
	}
	for _, s := range consoleWorkRoutes {
		if s.method == "GET" {
			continue
		}
		if code, _ := c.do(s.method, s.path, s.body, "application/json", false); code != http.StatusForbidden {
			t.Errorf("%s %s without the console header: %d, want 403", s.method, s.path, code)
		}
	}
	if len(rig.schedules.authors) != 0 || len(rig.tickets.Calls) != 0 {
		t.Fatalf("refused requests reached the services: %v %v", rig.schedules.authors, rig.tickets.Calls)
	}
}

// auditedBy is the result of each action in the audit log by actor.
func (rig *workRig) auditedBy(actor string) map[string]string {
	audited := map[string]string{}
	rig.audit.mu.Lock()
	defer rig.audit.mu.Unlock()
	for _, e := range rig.audit.entries {
		if e.Actor == actor {
			audited[e.Action] = e.Result
		}
	}
	return audited
}

// Without the schedules and tickets features the console offers neither
// view and serves none of their routes.
func TestConsoleWithoutSchedulesOrTicketsHidesThem(t *testing.T) {
	rig := consoleWorkServer(t, false)
	c := newConsoleClient(t, rig.srv.URL)
	if code, body := c.post("/supervisor/login", `{"token":"sup-secret"}`, true); code != 200 ||
		!strings.Contains(body, `"schedules":false`) || !strings.Contains(body, `"tickets":false`) {
		t.Fatalf("sign-in: %d %s", code, body)
	}
	for _, p := range []string{"/supervisor/api/shifts", "/supervisor/api/tickets", "/supervisor/api/repeat-complainers"} {
		if code, _ := c.do("GET", p, "", "", false); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
	}
}

// The floor's updates carry the ticket counts for the header.
func TestConsoleStreamCarriesTicketCounts(t *testing.T) {
	rig := consoleWorkServer(t, true)
	c := newConsoleClient(t, rig.srv.URL)
	if code, _ := c.post("/supervisor/login", `{"token":"sup-secret"}`, true); code != 200 {
		t.Fatal("sign-in")
	}
	updated := false
	err := c.eachUpdate(func(data string) bool {
		var msg struct {
			Tickets *TicketCounts `json:"tickets"`
		}
		if err := json.Unmarshal([]byte(data), &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Tickets == nil || *msg.Tickets != (TicketCounts{Overdue: 3, Open: 7}) {
			t.Fatalf("tickets in the update: %+v", msg.Tickets)
		}
		updated = true
		return false
	})
	if !updated {
		t.Fatalf("no update: %v", err)
	}
}
