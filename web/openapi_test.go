package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/openapicheck"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/web/internal/webtest"
	"github.com/hotline-oss/hotline/web/webkit"
)

var docSecrets = map[Role]string{
	RoleAgent:      "agent-1001-secret-123",
	RoleSupervisor: "supervisor-secret-123",
	RoleAdmin:      "admin-secret-1234567",
}

var docTokens = []Token{
	NewToken("a1", docSecrets[RoleAgent], RoleAgent, "1001"),
	NewToken("sup", docSecrets[RoleSupervisor], RoleSupervisor, ""),
	NewToken("adm", docSecrets[RoleAdmin], RoleAdmin, ""),
}

type docRig struct {
	s      *Server
	reload *docReloader
}

// newDocServer builds a Server with every section the web package offers
// switched on, on fakes, the way the app wires it.
func newDocServer(t *testing.T) *docRig {
	t.Helper()
	metricsPage := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		io.WriteString(w, "hotline_up 1\n")
	})
	s := New(metricsPage, func() error { return nil }, slog.New(slog.DiscardHandler),
		WithServerClock(func() time.Time { return docNow }))
	r := &docRig{s: s, reload: &docReloader{}}
	s.WithWallboard(func() any { return []metrics.QueueFigures{{Queue: "general", Waiting: 1}} })
	s.WithAPI(newDocControl(), docTokens)
	s.WithReports(docReports{}, docTokens, time.UTC)
	s.WithRecordings(docRecordings{}, docTokens, time.UTC)
	hub := NewEventHub()
	t.Cleanup(hub.Close)
	s.WithEvents(hub, docTokens)
	s.WithReload(r.reload, docTokens)
	s.WithMonitor(docMonitor{}, docTokens)
	s.WithTickets(&webtest.Tickets{}, docTokens, time.UTC)
	if err := s.WithAgentPanel(webtest.NewPanelSource("1001", "1002"), webtest.PanelPasswords, WithPanelReviews(docReviews{}, time.UTC), WithPanelTickets(&webtest.Tickets{})); err != nil {
		t.Fatal(err)
	}
	// The app mounts its built-in demo account service here
	// (selfservice.DemoAccountsPath); the app's own test checks the real one.
	s.Mount("/demo/accounts", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		webkit.WriteJSON(w, http.StatusOK, map[string]bool{"found": false})
	}))
	s.WithNotices(docNotices{}, docTokens)
	s.WithFaults(docFaults{}, docTokens)
	s.WithReviews(docReviews{}, docTokens, time.UTC)
	floor := webtest.NewFloor(2, 2, 0)
	if err := s.WithConsole(ConsoleDeps{Source: floor, Agents: floor, Monitor: docMonitor{}, Notices: docNotices{},
		Reviews: docReviews{}, Recordings: docRecordings{}, Schedules: docSchedules{}, Tickets: &webtest.Tickets{},
		TicketCounts: func() TicketCounts { return TicketCounts{Overdue: 1, Open: 2} }}, docTokens); err != nil {
		t.Fatal(err)
	}
	s.WithSchedules(docSchedules{}, docTokens, time.UTC)
	s.WithWorkforceReports(docWorkforceReports{}, docTokens, time.UTC)
	s.WithAudit(&docAudit{}, docTokens, AuditOptions{})
	return r
}

// servedDoc fetches the description the way a client does and loads it.
func servedDoc(t *testing.T, s *Server) *openapi3.T {
	t.Helper()
	rec := httptest.NewRecorder()
	s.srv.Handler.ServeHTTP(rec, httptest.NewRequest("GET", OpenAPIPath, nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: %d %q", OpenAPIPath, rec.Code, rec.Header().Get("Content-Type"))
	}
	doc, err := openapicheck.Load(context.Background(), rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestOpenAPIDocumentIsValidAndServedAsJSON(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler))
	fromJSON := servedDoc(t, s)
	// The YAML in the repository, loaded directly, is the same document:
	// the conversion loses nothing.
	fromYAML, err := openapicheck.Load(context.Background(), openAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(fromJSON)
	b, _ := json.Marshal(fromYAML)
	if string(a) != string(b) {
		t.Fatal("the served JSON and the YAML file describe different documents")
	}
	if fromJSON.OpenAPI != "3.0.3" || fromJSON.Paths.Len() < 30 {
		t.Fatalf("openapi %q with %d paths", fromJSON.OpenAPI, fromJSON.Paths.Len())
	}
}

func TestYAMLToJSONKeepsOrderAndTypes(t *testing.T) {
	src := `
zeta: 1
alpha:
  "200": {description: ok}
  list: [true, null, 2.5, "3", 2026-11-23]
  anchor: &a {x: y}
  again: *a
`
	got, err := yamlToJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, got); err != nil {
		t.Fatal(err)
	}
	want := `{"zeta":1,"alpha":{"200":{"description":"ok"},"list":[true,null,2.5,"3","2026-11-23"],"anchor":{"x":"y"},"again":{"x":"y"}}}`
	if compact.String() != want {
		t.Fatalf("got  %s\nwant %s", compact.String(), want)
	}
	if _, err := yamlToJSON([]byte("a: &x {b: 1}\nc:\n  <<: *x\n")); err == nil {
		t.Fatal("a merge key was accepted; JSON has no such thing")
	}
	if _, err := yamlToJSON([]byte("a: [1\n")); err == nil {
		t.Fatal("broken YAML was accepted")
	}
}

// TestOpenAPIDescribesEveryRoute is the guard that keeps the description
// in step: a route registered without a description, or a description
// left behind by a removed route, fails here.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	rig := newDocServer(t)
	doc := servedDoc(t, rig.s)
	if problems := openapicheck.CompareRoutes(doc, rig.s.Routes()); len(problems) > 0 {
		t.Fatalf("the description and the routes disagree:\n%s", strings.Join(problems, "\n"))
	}
	// The comparison bites both ways.
	rig.s.mux.HandleFunc("GET /api/v1/secret", func(http.ResponseWriter, *http.Request) {})
	problems := openapicheck.CompareRoutes(doc, rig.s.Routes())
	if !slices.Equal(problems, []string{"served but not described: GET /api/v1/secret"}) {
		t.Fatalf("an undescribed route: %q", problems)
	}
	bare := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler))
	problems = openapicheck.CompareRoutes(doc, bare.Routes())
	if !slices.Contains(problems, "described but not served: POST /api/v1/agents/{id}/pause") {
		t.Fatalf("operations of a server without the API: %q", problems)
	}
	if slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, "/healthz") || strings.Contains(p, "openapi.json") }) {
		t.Fatalf("routes every server has are reported: %q", problems)
	}
}

func TestRoutesListsWhatWasRegisteredInOrder(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler))
	s.Mount("/demo/accounts", http.NotFoundHandler())
	want := []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET " + OpenAPIPath, "/demo/accounts"}
	if got := s.Routes(); !slices.Equal(got, want) {
		t.Fatalf("routes %q, want %q", got, want)
	}
}

// TestOpenAPIEventKindsAreEveryKind keeps Event.kind's list equal to the
// kinds the server publishes.
func TestOpenAPIEventKindsAreEveryKind(t *testing.T) {
	doc := servedDoc(t, New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler)))
	var described []string
	for _, v := range doc.Components.Schemas["Event"].Value.Properties["kind"].Value.Enum {
		described = append(described, v.(string))
	}
	var kinds []string
	for k := call.Kind(1); k.String() != "unknown"; k++ {
		kinds = append(kinds, k.String())
	}
	slices.Sort(described)
	slices.Sort(kinds)
	if !slices.Equal(described, kinds) {
		t.Fatalf("Event.kind lists %q\nthe server publishes %q", described, kinds)
	}
}
