package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingControl remembers the disposition it was asked for, so a test can
// tell a refused request from one that reached the ACD.
type countingControl struct {
	fakeControl
	mu           sync.Mutex
	dispositions []string
}

func (c *countingControl) Disposition(agent, category string, resolved bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dispositions = append(c.dispositions, agent+":"+category)
	return nil
}

func inputTestServer(t *testing.T) (*Server, *countingControl) {
	t.Helper()
	ctl := &countingControl{fakeControl: fakeControl{states: map[string]string{"1001": "available", "1002": "logged_out"}}}
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler))
	err := s.WithAPI(ctl, []Token{NewToken("sup", "supervisor-secret-123", RoleSupervisor, "")},
		WithAPIPauseReasons([]string{"lunch", "training"}), WithAPIDispositionCategories([]string{"repair", "billing"}))
	if err != nil {
		t.Fatal(err)
	}
	return s, ctl
}

// The API checks an agent's input as the panel does: the configured pause
// reasons, a known category and an explicit resolved flag, each a 400 that
// names the field and never reaches the ACD.
func TestAPIChecksAgentInputLikeThePanel(t *testing.T) {
	s, ctl := inputTestServer(t)
	const sup = "supervisor-secret-123"
	for _, tc := range []struct {
		action, body string
		code         int
		contains     string
	}{
		{"pause", `{"reason":"nap"}`, 400, `pause reason \"nap\": want one of lunch, training`},
		{"pause", `{"reason":"break"}`, 400, `pause reason \"break\"`},
		{"disposition", `{"category":"gossip","resolved":true}`, 400, `category \"gossip\": want one of repair, billing`},
		{"disposition", `{"category":"repair"}`, 400, "resolved (true or false) is required"},
		{"disposition", `{"category":"billing","resolved":false}`, 200, `"id":"1001"`},
		{"pause", `{"reason":"training"}`, 200, `"state":"paused:training"`},
		{"pause", ``, 200, `"state":"paused:lunch"`}, // no reason: the first configured one
	} {
		rec := serve(s, "POST", "/api/v1/agents/1001/"+tc.action, sup, tc.body)
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("%s %s: %d %s, want %d containing %q", tc.action, tc.body, rec.Code, rec.Body.String(), tc.code, tc.contains)
		}
	}
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	if len(ctl.dispositions) != 1 || ctl.dispositions[0] != "1001:billing" {
		t.Errorf("dispositions that reached the ACD: %v, want only the valid one", ctl.dispositions)
	}
}

func TestAPIOptionsRefuseEmptyLists(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler))
	if err := s.WithAPI(&fakeControl{}, nil, WithAPIPauseReasons(nil)); err == nil {
		t.Error("no pause reasons accepted")
	}
	if err := s.WithAPI(&fakeControl{}, nil, WithAPIDispositionCategories([]string{})); err == nil {
		t.Error("no categories accepted")
	}
}

// Every path under /api/ that no route serves answers JSON, like the rest.
func TestUnknownAPIPathsAnswerJSON(t *testing.T) {
	s, _ := inputTestServer(t)
	for _, path := range []string{"/api/v1/agentz", "/api/v2/agents", "/api/"} {
		rec := serve(s, "GET", path, "", "")
		var body map[string]string
		if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/json" ||
			json.Unmarshal(rec.Body.Bytes(), &body) != nil || !strings.Contains(body["error"], path) {
			t.Errorf("GET %s: %d %q %s", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
	}
	// Routes still win over the catch-all.
	if rec := serve(s, "GET", "/api/v1/queues", "supervisor-secret-123", ""); rec.Code != 200 {
		t.Errorf("GET /api/v1/queues: %d %s", rec.Code, rec.Body.String())
	}
}

// Report query errors start with the parameter at fault, and a format
// other than json or csv is refused instead of answered in JSON.
func TestReportQueryErrorsNameTheParameter(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler))
	s.WithReports(fakeReports{}, []Token{NewToken("adm", "admin-secret-1234567", RoleAdmin, "")}, time.UTC)
	for _, tc := range []struct {
		query, want string
	}{
		{"from=yesterday", `from: want YYYY-MM-DD, YYYY-MM or RFC 3339, got \"yesterday\"`},
		{"from=2026-11-02&to=2026-13-01", `to: want YYYY-MM-DD`},
		{"from=2026-11-02&to=2026-11-01", "to: must be after from"},
		{"tz=Mars/Olympus", `tz: unknown time zone \"Mars/Olympus\"`},
		{"interval=fortnight", `interval: \"fortnight\" is not supported`},
		{"format=xml", `format: \"xml\" is not supported (want json or csv)`},
	} {
		rec := serve(s, "GET", "/api/v1/reports/interval?"+tc.query, "admin-secret-1234567", "")
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s: %d %s, want 400 with %q", tc.query, rec.Code, rec.Body.String(), tc.want)
		}
	}
	for query, contentType := range map[string]string{"format=json": "application/json", "format=csv": "text/csv; charset=utf-8", "": "application/json"} {
		rec := serve(s, "GET", "/api/v1/reports/interval?"+query, "admin-secret-1234567", "")
		if rec.Code != 200 || rec.Header().Get("Content-Type") != contentType {
			t.Errorf("%q: %d %q", query, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
}
