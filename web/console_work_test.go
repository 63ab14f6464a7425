package web

import (
	"bufio"
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

func (c *consoleClient) do(method, path, body, contentType string, header bool) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if header {
		req.Header.Set(ConsoleHeader, "1")
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// The console's schedule and ticket routes need a session, and their
// writes the console header; the author is the signed-in token; the
// audit log has each write under its name.
func TestConsoleSchedulesAndTicketsNeedTheSession(t *testing.T) {
	rig := consoleWorkServer(t, true)
	c := newConsoleClient(t, rig.srv.URL)
	shift := `{"agent":"1001","start":"2026-11-24T08:00:00Z","end":"2026-11-24T16:00:00Z"}`
	signedOut := []struct{ method, path, body string }{
		{"GET", "/supervisor/api/shifts", ""},
		{"POST", "/supervisor/api/shifts", shift},
		{"PUT", "/supervisor/api/shifts/1", shift},
		{"DELETE", "/supervisor/api/shifts/1", ""},
		{"POST", "/supervisor/api/shifts/import", "agent,date,start,end\n"},
		{"GET", "/supervisor/api/adherence", ""},
		{"GET", "/supervisor/api/tickets", ""},
		{"GET", "/supervisor/api/tickets/1001", ""},
		{"POST", "/supervisor/api/tickets/1001/assign", `{"owner":"1002"}`},
		{"GET", "/supervisor/api/repeat-complainers", ""},
	}
	for _, s := range signedOut {
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
	for _, s := range signedOut {
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
	steps := []struct {
		method, path, body, ctype string
		want                      int
	}{
		{"POST", "/supervisor/api/shifts", shift, "application/json", 201},
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
	for _, s := range steps {
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
	audited := map[string]string{}
	rig.audit.mu.Lock()
	defer rig.audit.mu.Unlock()
	for _, e := range rig.audit.entries {
		if e.Actor == "sup" {
			audited[e.Action] = e.Result
		}
	}
	if audited["POST /supervisor/api/shifts"] == "" || audited["POST /supervisor/api/tickets/{id}/assign"] != "200" {
		t.Errorf("audit log: %v", audited)
	}
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", rig.srv.URL+"/supervisor/api/stream", nil)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok || data == "{}" {
			continue
		}
		var msg struct {
			Tickets *TicketCounts `json:"tickets"`
		}
		if err := json.Unmarshal([]byte(data), &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Tickets == nil || *msg.Tickets != (TicketCounts{Overdue: 3, Open: 7}) {
			t.Fatalf("tickets in the update: %+v", msg.Tickets)
		}
		return
	}
	t.Fatalf("no update: %v", sc.Err())
}
