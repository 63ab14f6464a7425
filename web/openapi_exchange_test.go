package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/hotline-oss/hotline/internal/openapicheck"
	"github.com/hotline-oss/hotline/web/webkit"
)

type docExchange struct {
	method, path string
	role         Role // "" for none
	body         string
	header       map[string]string
	want         int
	// invalid: the request breaks the contract on purpose (no token, bad
	// body), so only the answer is checked.
	invalid bool
	// stream: an endless answer; the request is sent already cancelled,
	// so the handler writes its opening and returns.
	stream bool
	// cookie: the session of a page, if any.
	cookie *http.Cookie
}

func (x docExchange) run(ctx context.Context, v *openapicheck.Validator, h http.Handler) (*httptest.ResponseRecorder, error) {
	if x.stream {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		cancel()
	}
	if x.invalid {
		return v.Answer(ctx, h, x.request(ctx))
	}
	return v.Exchange(ctx, h, x.request(ctx))
}

func (x docExchange) request(ctx context.Context) *http.Request {
	req := httptest.NewRequestWithContext(ctx, x.method, x.path, strings.NewReader(x.body))
	if x.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if x.role != "" {
		req.Header.Set("Authorization", "Bearer "+docSecrets[x.role])
	}
	for k, v := range x.header {
		req.Header.Set(k, v)
	}
	if x.cookie != nil {
		req.AddCookie(x.cookie)
	}
	return req
}

// checkExchanges sends each exchange through h, in the session of cookie
// when there is one, and checks the request, its answer and its status.
func checkExchanges(t *testing.T, v *openapicheck.Validator, h http.Handler, cookie *http.Cookie, exchanges []docExchange) {
	t.Helper()
	for _, x := range exchanges {
		x.cookie = cookie
		rec, err := x.run(context.Background(), v, h)
		if err != nil {
			t.Errorf("%s %s: %v", x.method, x.path, err)
			continue
		}
		if rec.Code != x.want {
			t.Errorf("%s %s: %d %s, want %d", x.method, x.path, rec.Code, rec.Body, x.want)
		}
	}
}

// docValidator checks exchanges against the description the server serves.
func docValidator(t *testing.T, rig *docRig) *openapicheck.Validator {
	t.Helper()
	v, err := openapicheck.NewValidator(servedDoc(t, rig.s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// signIn sends a page's sign-in, checked against the description, and
// returns the session's cookie.
func signIn(t *testing.T, v *openapicheck.Validator, rig *docRig, login docExchange) *http.Cookie {
	t.Helper()
	ctx := context.Background()
	rec, err := v.Exchange(ctx, rig.s.srv.Handler, login.request(ctx))
	if err != nil || rec.Code != 200 {
		t.Fatalf("login: %v %d %s", err, rec.Code, rec.Body)
	}
	return rec.Result().Cookies()[0]
}

// serviceExchanges check the probes, the metrics, the wallboard, the
// event stream and the description.
var serviceExchanges = []docExchange{
	{method: "GET", path: "/healthz", want: 200},
	{method: "GET", path: "/readyz", want: 200},
	{method: "GET", path: "/metrics", want: 200},
	{method: "GET", path: "/wallboard", want: 200},
	{method: "GET", path: "/wallboard/events", want: 200, stream: true},
	{method: "GET", path: "/api/v1/events?kinds=call_ended,agent_answered", role: RoleSupervisor, want: 200, stream: true},
	{method: "GET", path: "/api/v1/events?kinds=nonsense", role: RoleSupervisor, want: 400},
	{method: "GET", path: OpenAPIPath, want: 200},
}

// agentExchanges check the agents and the queues.
var agentExchanges = []docExchange{
	{method: "GET", path: "/api/v1/agents", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/agents", want: 401, invalid: true},
	{method: "GET", path: "/api/v1/agents/1001", role: RoleAgent, want: 200},
	{method: "GET", path: "/api/v1/agents/1002", role: RoleAgent, want: 403},
	{method: "GET", path: "/api/v1/agents/9999", role: RoleSupervisor, want: 404},
	{method: "POST", path: "/api/v1/agents/1001/login", role: RoleAgent, want: 200},
	{method: "POST", path: "/api/v1/agents/1001/pause", role: RoleAgent, body: `{"reason":"training"}`, want: 200},
	{method: "POST", path: "/api/v1/agents/1001/ready", role: RoleSupervisor, want: 200},
	{method: "POST", path: "/api/v1/agents/1001/login", role: RoleAgent, want: 409},
	{method: "POST", path: "/api/v1/agents/1001/disposition", role: RoleAgent, body: `{"category":"repair","resolved":true}`, want: 409},
	{method: "POST", path: "/api/v1/agents/1001/pause", role: RoleAgent, body: `{"reason":`, want: 400, invalid: true},
	{method: "GET", path: "/api/v1/queues", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/queues", role: RoleAgent, want: 403},
}

// reportExchanges check the reports.
var reportExchanges = []docExchange{
	{method: "GET", path: "/api/v1/reports/interval?from=2026-11-01&to=2026-11-02&interval=30m&tz=Asia/Shanghai", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/interval?from=2026-11-02&to=2026-11-01", role: RoleAdmin, want: 400},
	{method: "GET", path: "/api/v1/reports/agents?format=csv", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/agents", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/repeat-callers?from=2026-11", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/repeat-callers", role: RoleSupervisor, want: 403},
}

// operationExchanges check notices, faults, recordings, monitoring,
// reload, the audit log and moving a caller.
var operationExchanges = []docExchange{
	{method: "GET", path: "/api/v1/notices?active=true", role: RoleSupervisor, want: 200},
	{method: "POST", path: "/api/v1/notices", role: RoleSupervisor, body: `{"areas":["north"],"text":"Repairs on Saturday."}`, want: 201},
	{method: "PUT", path: "/api/v1/notices/1", role: RoleSupervisor, body: `{"text":"Repairs on Sunday."}`, want: 200},
	{method: "POST", path: "/api/v1/notices/1/expire", role: RoleSupervisor, want: 200},
	{method: "POST", path: "/api/v1/notices/503/expire", role: RoleSupervisor, want: 503},
	{method: "DELETE", path: "/api/v1/notices/1", role: RoleSupervisor, want: 204},
	{method: "DELETE", path: "/api/v1/notices/7", role: RoleSupervisor, want: 404},
	{method: "GET", path: "/api/v1/faults?from=2026-11-20", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/faults/20261123T101502.123-c1.wav", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/recordings?queue=general", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/recordings/c1/audio", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/recordings/c1/audio", role: RoleSupervisor, header: map[string]string{"Range": "bytes=0-11"}, want: 206},
	{method: "GET", path: "/api/v1/recordings/c2/audio", role: RoleSupervisor, want: 404},
	{method: "POST", path: "/api/v1/monitor", role: RoleSupervisor, body: `{"supervisor":"2001","agent":"1001","mode":"whisper"}`, want: 202},
	{method: "POST", path: "/api/v1/monitor", role: RoleSupervisor, body: `{"supervisor":"2001","agent":"1002"}`, want: 404},
	{method: "POST", path: "/api/v1/reload", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/audit?limit=10&action=pause", role: RoleAdmin, want: 200},
	{method: "POST", path: "/api/v1/calls/w-1/move", role: RoleSupervisor, body: `{"queue":"q001"}`, want: 200},
	{method: "POST", path: "/api/v1/calls/w-1/move", role: RoleSupervisor, body: `{"queue":"q001"}`, want: 404},
}

// reviewExchanges check the quality reviews.
var reviewExchanges = []docExchange{
	{method: "GET", path: "/api/v1/reviews/forms", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/reviews/queue?month=2026-11", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/reviews/queue?month=November", role: RoleSupervisor, want: 400},
	{method: "GET", path: "/api/v1/reviews/scores", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/reviews", role: RoleAgent, want: 200},
	{method: "GET", path: "/api/v1/reviews?agent=1002", role: RoleAgent, want: 403},
	{method: "POST", path: "/api/v1/reviews", role: RoleSupervisor, body: `{"call_id":"c1","answers":{"greeting":1,"tone":3}}`, want: 201},
	{method: "POST", path: "/api/v1/reviews", role: RoleSupervisor, body: `{"call_id":"c9","answers":{"greeting":1}}`, want: 409},
	{method: "POST", path: "/api/v1/reviews", role: RoleSupervisor, body: `{"call_id":"c2","answers":{"greeting":1}}`, want: 422},
	{method: "POST", path: "/api/v1/reviews", role: RoleAgent, body: `{"call_id":"c1","answers":{"greeting":1}}`, want: 403},
	{method: "POST", path: "/api/v1/reviews", role: RoleSupervisor, body: `{"call_id":"c1","answers":{}}`, want: 400},
	{method: "POST", path: "/api/v1/reviews/1/acknowledge", role: RoleAgent, want: 200},
	{method: "POST", path: "/api/v1/reviews/1/acknowledge", role: RoleSupervisor, want: 403},
}

// consolePageExchanges check the console's page and its sign-in.
var consolePageExchanges = []docExchange{
	{method: "GET", path: "/supervisor", want: 200},
	{method: "POST", path: "/supervisor/login", body: `{"token":"nope"}`, header: consolePost, want: 401},
	{method: "POST", path: "/supervisor/login", body: `{"token":"` + docSecrets[RoleAgent] + `"}`, header: consolePost, want: 403},
	{method: "GET", path: "/supervisor/api/me", want: 401, invalid: true},
}

// ticketExchanges check the tickets and the work-order system's updates.
var ticketExchanges = []docExchange{
	{method: "POST", path: "/api/v1/tickets", role: RoleAgent, body: `{"category":"complaint","urgency":"urgent","description":"no power","caller":"13800000001","call_id":"c1"}`, want: 201},
	{method: "GET", path: "/api/v1/tickets?state=open,assigned&overdue=true", role: RoleAgent, want: 200},
	{method: "GET", path: "/api/v1/tickets/1001", role: RoleAgent, want: 200},
	{method: "GET", path: "/api/v1/tickets/1002", role: RoleAgent, want: 404},
	{method: "POST", path: "/api/v1/tickets/1001/note", role: RoleAgent, body: `{"note":"called the customer"}`, want: 200},
	{method: "POST", path: "/api/v1/tickets/1001/close", role: RoleAgent, want: 409},
	{method: "GET", path: "/api/v1/tickets/figures?from=2026-11-01&to=2026-12-01", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/reports/repeat-complainers?month=2026-11", role: RoleSupervisor, want: 200},
	{method: "POST", path: "/api/v1/tickets/sync", body: `{"ticket":"1001","action":"assign","owner":"crew-4"}`, header: map[string]string{"X-Hotline-Signature": "sha256=good"}, want: 200},
	{method: "POST", path: "/api/v1/tickets/sync", body: `{"ticket":"1001","action":"assign"}`, header: map[string]string{"X-Hotline-Signature": "sha256=bad"}, want: 401},
}

// panelPageExchanges check the agent panel's page and its sign-in.
var panelPageExchanges = []docExchange{
	{method: "GET", path: "/agent", want: 200},
	{method: "POST", path: "/agent/login", body: `{"agent":"1001","password":"wrong"}`, header: panelPost, want: 401},
	{method: "GET", path: "/agent/api/me", want: 401, invalid: true},
}

// TestOpenAPIRequestsAndAnswersFitTheSchemas sends real requests through
// the whole server (audit middleware included) and checks each request and
// its answer against the description.
func TestOpenAPIRequestsAndAnswersFitTheSchemas(t *testing.T) {
	rig := newDocServer(t)
	v := docValidator(t, rig)
	checkExchanges(t, v, rig.s.srv.Handler, nil, slices.Concat(serviceExchanges, agentExchanges, reportExchanges,
		operationExchanges, reviewExchanges, consolePageExchanges, ticketExchanges, panelPageExchanges, scheduleExchanges))
	rig.reload.reject = true
	rec, err := v.Exchange(context.Background(), rig.s.srv.Handler, docExchange{method: "POST", path: "/api/v1/reload", role: RoleAdmin}.request(context.Background()))
	if err != nil || rec.Code != 400 || !strings.Contains(rec.Body.String(), "problems") {
		t.Errorf("rejected reload: %v %v", err, rec)
	}
}

var (
	panelPost   = map[string]string{PanelHeader: "1"}
	consolePost = map[string]string{ConsoleHeader: "1"}
)

// TestOpenAPIPanelSessionFitsTheSchemas walks the agent panel: sign in,
// read the view, press buttons, classify without a call.
func TestOpenAPIPanelSessionFitsTheSchemas(t *testing.T) {
	rig := newDocServer(t)
	v := docValidator(t, rig)
	cookie := signIn(t, v, rig, docExchange{method: "POST", path: "/agent/login",
		body: `{"agent":"1001","password":"pw1001"}`, header: panelPost})
	steps := []docExchange{
		{method: "GET", path: "/agent/api/me", want: 200},
		{method: "POST", path: "/agent/api/state", body: `{"action":"ready"}`, header: panelPost, want: 200},
		{method: "POST", path: "/agent/api/state", body: `{"action":"pause","reason":"lunch"}`, header: panelPost, want: 200},
		{method: "POST", path: "/agent/api/state", body: `{"action":"pause","reason":"nap"}`, header: panelPost, want: 400},
		{method: "POST", path: "/agent/api/disposition", body: `{"category":"billing","resolved":true}`, header: panelPost, want: 409},
		{method: "GET", path: "/agent/api/reviews?month=2026-11", want: 200},
		{method: "POST", path: "/agent/api/reviews/1/acknowledge", header: panelPost, want: 200},
		{method: "POST", path: "/agent/api/reviews/2/acknowledge", header: panelPost, want: 404},
		{method: "GET", path: "/agent/api/customer", want: 409},
		{method: "POST", path: "/agent/api/tickets", body: `{"category":"complaint","description":"no power"}`, header: panelPost, want: 409},
		{method: "POST", path: "/agent/api/tickets/1001/note", body: `{"note":"called back"}`, header: panelPost, want: 200},
		{method: "POST", path: "/agent/api/tickets/1001/call", header: panelPost, want: 202},
		{method: "POST", path: "/agent/logout", header: panelPost, want: 204},
	}
	checkExchanges(t, v, rig.s.srv.Handler, cookie, steps)
}

// TestOpenAPIConsoleSessionFitsTheSchemas walks the supervisor console:
// sign in with a token, read, act, review, play a recording, sign out.
func TestOpenAPIConsoleSessionFitsTheSchemas(t *testing.T) {
	rig := newDocServer(t)
	v := docValidator(t, rig)
	cookie := signIn(t, v, rig, docExchange{method: "POST", path: "/supervisor/login",
		body: `{"token":"` + docSecrets[RoleSupervisor] + `"}`, header: consolePost})
	steps := []docExchange{
		{method: "GET", path: "/supervisor/api/me", want: 200},
		{method: "GET", path: "/supervisor/api/stream", want: 200, stream: true},
		{method: "POST", path: "/supervisor/api/agents/10000/pause", body: `{"reason":"lunch"}`, header: consolePost, want: 200},
		{method: "POST", path: "/supervisor/api/agents/10000/pause", body: `{"reason":"lunch"}`, want: 403, invalid: true},
		{method: "POST", path: "/supervisor/api/calls/w-1/move", body: `{"queue":"q001"}`, header: consolePost, want: 200},
		{method: "POST", path: "/supervisor/api/calls/w-1/move", body: `{"queue":""}`, header: consolePost, want: 400},
		{method: "POST", path: "/supervisor/api/monitor", body: `{"supervisor":"2001","agent":"1001","mode":"barge"}`, header: consolePost, want: 202},
		{method: "GET", path: "/supervisor/api/notices", want: 200},
		{method: "POST", path: "/supervisor/api/notices", body: `{"areas":["north"],"text":"Repairs on Saturday."}`, header: consolePost, want: 201},
		{method: "POST", path: "/supervisor/api/notices/1/expire", header: consolePost, want: 200},
		{method: "GET", path: "/supervisor/api/reviews/forms", want: 200},
		{method: "GET", path: "/supervisor/api/reviews/queue", want: 200},
		{method: "GET", path: "/supervisor/api/reviews/scores?month=2026-11", want: 200},
		{method: "POST", path: "/supervisor/api/reviews", body: `{"call_id":"c1","answers":{"greeting":1}}`, header: consolePost, want: 201},
		{method: "POST", path: "/supervisor/api/reviews", body: `{"call_id":"c2","answers":{"greeting":1}}`, header: consolePost, want: 422},
		{method: "GET", path: "/supervisor/api/recordings/c1/audio", header: map[string]string{"Range": "bytes=0-11"}, want: 206},
		{method: "GET", path: "/supervisor/api/shifts?from=2026-11-23", want: 200},
		{method: "POST", path: "/supervisor/api/shifts", body: `{"agent":"1001","start":"2026-11-24T08:00:00Z","end":"2026-11-24T16:00:00Z"}`, header: consolePost, want: 201},
		{method: "POST", path: "/supervisor/api/shifts", body: `{"agent":"1002","start":"2026-11-24T08:00:00Z","end":"2026-11-24T16:00:00Z"}`, header: consolePost, want: 409},
		{method: "PUT", path: "/supervisor/api/shifts/1", body: `{"agent":"1001","start":"2026-11-24T09:00:00Z","end":"2026-11-24T17:00:00Z"}`, header: consolePost, want: 200},
		{method: "DELETE", path: "/supervisor/api/shifts/1", header: consolePost, want: 204},
		{method: "DELETE", path: "/supervisor/api/shifts/7", header: consolePost, want: 404},
		{method: "POST", path: "/supervisor/api/shifts/import", body: "agent,date,start,end\n9999,2026-11-24,08:00,16:00\n", header: map[string]string{"Content-Type": "text/csv", ConsoleHeader: "1"}, want: 400},
		{method: "POST", path: "/supervisor/api/shifts/import?replace=true", body: "agent,date,start,end\n1001,2026-11-24,08:00,16:00\n", header: map[string]string{"Content-Type": "text/csv", ConsoleHeader: "1"}, want: 201},
		{method: "GET", path: "/supervisor/api/adherence", want: 200},
		{method: "GET", path: "/supervisor/api/tickets?overdue=true&category=complaint&owner=1001", want: 200},
		{method: "GET", path: "/supervisor/api/tickets/1001", want: 200},
		{method: "POST", path: "/supervisor/api/tickets/1001/assign", body: `{"owner":"1002","note":"call today"}`, header: consolePost, want: 200},
		{method: "POST", path: "/supervisor/api/tickets/9/assign", body: `{"owner":"1002"}`, header: consolePost, want: 404},
		{method: "GET", path: "/supervisor/api/repeat-complainers?month=2026-11", want: 200},
		{method: "POST", path: "/supervisor/logout", header: consolePost, want: 204},
	}
	checkExchanges(t, v, rig.s.srv.Handler, cookie, steps)
}

// TestOpenAPIRolesAreTheServersRoles checks each operation's x-hotline-role
// against the server: without a token 401, with the next lower role 403,
// with the role itself neither.
func TestOpenAPIRolesAreTheServersRoles(t *testing.T) {
	rig := newDocServer(t)
	doc := servedDoc(t, rig.s)
	lower := map[Role]Role{RoleSupervisor: RoleAgent, RoleAdmin: RoleSupervisor}
	values := map[string]string{"id": "1001", "file": "20261123T101502.123-c1.wav", "call_id": "c1", "action": "note"}
	// Streams answer and return at once on a request already cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	checked := 0
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			name := method + " " + path
			if !needsBearer(doc, op) {
				if op.Extensions["x-hotline-role"] != nil {
					t.Errorf("%s: a role but no bearer token", name)
				}
				continue
			}
			role, _ := op.Extensions["x-hotline-role"].(string)
			if webkit.Rank(Role(role)) == 0 {
				t.Errorf("%s: x-hotline-role %q", name, role)
				continue
			}
			target := fillParams(path, values)
			status := func(r Role) int {
				rec := httptest.NewRecorder()
				rig.s.srv.Handler.ServeHTTP(rec, docExchange{method: method, path: target, role: r}.request(ctx))
				return rec.Code
			}
			if got := status(""); got != 401 {
				t.Errorf("%s without a token: %d", name, got)
			}
			if low, ok := lower[Role(role)]; ok {
				if got := status(low); got != 403 {
					t.Errorf("%s as %s: %d, want 403", name, low, got)
				}
			}
			if got := status(Role(role)); got == 401 || got == 403 {
				t.Errorf("%s as %s: %d", name, role, got)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Fatalf("only %d operations with a bearer token", checked)
	}
}

func needsBearer(doc *openapi3.T, op *openapi3.Operation) bool {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	for _, r := range reqs {
		if _, ok := r["bearerToken"]; ok {
			return true
		}
	}
	return false
}

func fillParams(path string, values map[string]string) string {
	for name, v := range values {
		path = strings.ReplaceAll(path, "{"+name+"}", v)
	}
	if strings.Contains(path, "{") {
		panic(fmt.Sprintf("no sample value for a parameter of %s", path))
	}
	return path
}
