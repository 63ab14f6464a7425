package workforce

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/dbtest"
	"github.com/hotline-oss/hotline/internal/testclock"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// forEachStore runs fn against a fresh SQLite store, and a fresh MySQL
// database when HOTLINE_TEST_MYSQL_DSN is set (skipped without it, failed
// under CI=true).
func forEachStore(t *testing.T, clock *testclock.Clock, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	start := clock.Now()
	t.Run("sqlite", func(t *testing.T) { fn(t, openStore(t, "", clock)) })
	clock.Set(start) // each store starts at the same time
	t.Run("mysql", func(t *testing.T) {
		fn(t, openStore(t, dbtest.FreshMySQLDatabase(t, dbtest.MySQLBaseDSN(t)), clock))
	})
}

func openStore(t *testing.T, dsn string, clock *testclock.Clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DSN: dsn, DataDir: t.TempDir(), Clock: clock,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	return st
}

// testDay is the Monday after the start of next month, so that the tests
// run on any date without meeting the wall clock.
func testDay() time.Time {
	now := time.Now().UTC()
	d := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

var testAgents = []Agent{
	{ID: "1001", Name: "Li Na", WorkNumber: "2001", Queues: []string{"general"}},
	{ID: "1002", Name: "Kim Min", WorkNumber: "2002", Queues: []string{"general", "billing"}},
	{ID: "1003", Name: "Sam Lee", WorkNumber: "2003", Queues: []string{"billing"}},
}

const (
	supToken   = "supervisor-secret-0001"
	adminToken = "admin-secret-000000001"
	agentToken = "agent-1001-secret-0001"
)

// rig is the service on a real store behind a real HTTP server.
type rig struct {
	t      *testing.T
	clock  *testclock.Clock
	st     *store.Store
	svc    *Service
	base   string
	alerts []call.Event
	mu     sync.Mutex
}

func newRig(t *testing.T, st *store.Store, clock *testclock.Clock) *rig {
	t.Helper()
	r := &rig{t: t, clock: clock, st: st}
	rules := testRules()
	r.svc = New(Options{Store: st, Now: clock.Now, Log: slog.New(slog.DiscardHandler), Publish: func(e call.Event) {
		r.mu.Lock()
		r.alerts = append(r.alerts, e)
		r.mu.Unlock()
	}}, rules, testAgents)
	srv := web.New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.DiscardHandler), web.WithServerClock(clock.Now))
	tokens := []web.Token{
		web.NewToken("sup", supToken, web.RoleSupervisor, ""),
		web.NewToken("adm", adminToken, web.RoleAdmin, ""),
		web.NewToken("a1", agentToken, web.RoleAgent, "1001"),
	}
	srv.WithSchedules(r.svc.Control(), tokens, time.UTC)
	srv.WithWorkforceReports(r.svc.Reports(), tokens, time.UTC)
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	r.base = "http://" + srv.Addr()
	return r
}

// do sends a request and returns the status and body.
func (r *rig) do(method, path, token, contentType, body string) (int, string) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.base+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// states records agent state changes as the ACD would publish them, into
// the store (the reports read them from there) and the live tracker.
func (r *rig) states(agent string, day time.Time, steps ...string) {
	r.t.Helper()
	prev := "logged_out"
	for _, s := range steps {
		hhmm, st, _ := strings.Cut(s, " ")
		state, reason, _ := strings.Cut(st, ":")
		clock, err := time.Parse("15:04", hhmm)
		if err != nil {
			r.t.Fatal(err)
		}
		e := call.Event{Kind: call.AgentStateChanged, Agent: agent, PrevState: prev, State: state, Reason: reason,
			Time: day.Add(time.Duration(clock.Hour())*time.Hour + time.Duration(clock.Minute())*time.Minute)}
		r.st.Recorder().HandleEvent(e)
		r.svc.HandleEvent(e)
		prev = state
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.st.Flush(ctx); err != nil {
		r.t.Fatalf("flush: %v", err)
	}
}
