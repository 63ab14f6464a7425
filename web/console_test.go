package web

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/web/internal/webtest"
)

var consoleTokens = []Token{
	NewToken("a1", "agent-secret", RoleAgent, "10000"),
	NewToken("sup", "sup-secret", RoleSupervisor, ""),
}

func consoleServer(t testing.TB, floor *webtest.Floor, period time.Duration) *httptest.Server {
	t.Helper()
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := s.WithConsole(ConsoleDeps{Source: floor, Agents: floor, Monitor: docMonitor{}, Notices: docNotices{}, Period: period}, consoleTokens)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.srv.Handler)
	t.Cleanup(func() {
		s.srv.Shutdown(context.Background())
		srv.Close()
	})
	s.srv.RegisterOnShutdown(func() {})
	return srv
}

type consoleClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func newConsoleClient(t *testing.T, base string) *consoleClient {
	jar, _ := cookiejar.New(nil)
	return &consoleClient{t: t, base: base, http: &http.Client{Jar: jar}}
}

// do sends body as contentType, with the console header when header,
// and returns the status and the answer.
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

// post sends a JSON body.
func (c *consoleClient) post(path, body string, header bool) (int, string) {
	c.t.Helper()
	return c.do("POST", path, body, "application/json", header)
}

// eachUpdate reads the console's stream in c's session, for five seconds
// at most, and hands each update's data (not the keep-alives) to fn until
// fn returns false; it returns why the stream ended before that.
func (c *consoleClient) eachUpdate(fn func(data string) bool) error {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/supervisor/api/stream", nil)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok || data == "{}" {
			continue
		}
		if !fn(data) {
			return nil
		}
	}
	return sc.Err()
}

func TestConsoleSignInNeedsASupervisorToken(t *testing.T) {
	srv := consoleServer(t, webtest.NewFloor(3, 2, 0), time.Second)
	c := newConsoleClient(t, srv.URL)
	if code, _ := c.post("/supervisor/login", `{"token":"sup-secret"}`, false); code != http.StatusForbidden {
		t.Fatalf("sign-in without the console header: %d", code)
	}
	if code, body := c.post("/supervisor/login", `{"token":"agent-secret"}`, true); code != http.StatusForbidden || !strings.Contains(body, "role agent") {
		t.Fatalf("agent token: %d %s", code, body)
	}
	if code, _ := c.post("/supervisor/login", `{"token":"wrong"}`, true); code != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d", code)
	}
	res, _ := c.http.Get(srv.URL + "/supervisor/api/me")
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("me without a session: %d", res.StatusCode)
	}
	if code, body := c.post("/supervisor/login", `{"token":"sup-secret"}`, true); code != http.StatusOK || !strings.Contains(body, `"monitor":true`) {
		t.Fatalf("supervisor sign-in: %d %s", code, body)
	}
	res, _ = c.http.Get(srv.URL + "/supervisor/api/me")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("me with a session: %d", res.StatusCode)
	}
	// An agent's API token on the API's move route is refused too.
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/calls/w-1/move", strings.NewReader(`{"queue":"q001"}`))
	req.Header.Set("Authorization", "Bearer agent-secret")
	res, _ = http.DefaultClient.Do(req)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("agent token moving a caller: %d", res.StatusCode)
	}
}

func TestConsoleStreamsTheFloorAndActs(t *testing.T) {
	floor := webtest.NewFloor(3, 2, 0)
	srv := consoleServer(t, floor, 50*time.Millisecond)
	c := newConsoleClient(t, srv.URL)
	if code, body := c.post("/supervisor/login", `{"token":"sup-secret"}`, true); code != http.StatusOK {
		t.Fatalf("sign-in: %d %s", code, body)
	}
	snapshots := 0
	_ = c.eachUpdate(func(data string) bool {
		var m struct {
			ConsoleSnapshot
			ServerTime time.Time `json:"server_time"`
		}
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Agents) != 3 || m.Agents[0].Adherence == nil || len(m.Waiting) != 1 || m.ServerTime.IsZero() {
			t.Fatalf("snapshot %s", data)
		}
		snapshots++
		return snapshots < 2
	})
	if snapshots != 2 {
		t.Fatalf("%d snapshots", snapshots)
	}

	if code, body := c.post("/supervisor/api/agents/10000/pause", `{"reason":"training"}`, true); code != http.StatusOK {
		t.Fatalf("force pause: %d %s", code, body)
	}
	if got := floor.State("10000"); got != "paused/training" {
		t.Fatalf("agent after the force pause: %s", got)
	}
	if code, _ := c.post("/supervisor/api/agents/10000/pause", `{"reason":"napping"}`, true); code != http.StatusBadRequest {
		t.Fatalf("unknown pause reason: %d", code)
	}
	if code, _ := c.post("/supervisor/api/agents/10001/logout", `{}`, false); code != http.StatusForbidden {
		t.Fatalf("a POST without the console header: %d", code)
	}
	if code, _ := c.post("/supervisor/api/calls/w-1/move", `{"queue":"q000"}`, true); code != http.StatusBadRequest {
		t.Fatalf("move into its own queue: %d", code)
	}
	if code, body := c.post("/supervisor/api/calls/w-1/move", `{"queue":"q001"}`, true); code != http.StatusOK {
		t.Fatalf("move: %d %s", code, body)
	}
	if code, _ := c.post("/supervisor/api/calls/w-1/move", `{"queue":"q001"}`, true); code != http.StatusNotFound {
		t.Fatalf("move of a caller no longer waiting: %d", code)
	}
	if code, body := c.post("/supervisor/api/monitor", `{"supervisor":"2001","agent":"1001","mode":"whisper"}`, true); code != http.StatusAccepted {
		t.Fatalf("monitor: %d %s", code, body)
	}
	if code, _ := c.post("/supervisor/logout", ``, true); code != http.StatusNoContent {
		t.Fatalf("sign-out: %d", code)
	}
	if code, _ := c.post("/supervisor/api/agents/10000/ready", `{}`, true); code != http.StatusUnauthorized {
		t.Fatalf("an action after sign-out: %d", code)
	}
}
