package selfservice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testclock"
	"github.com/hotline-oss/hotline/ivr"
)

func testClient(t testing.TB, h http.Handler, svc config.Service) (*lookupClient, *testclock.Clock) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	clk := testclock.At(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	svc.URL = srv.URL
	c := newLookupClient("accounts", svc, func() string { return srv.URL }, clk)
	c.backoff = time.Millisecond
	return c, clk
}

func retries(n int) *int { return &n }

func TestLookupClientAnswers(t *testing.T) {
	var got LookupRequest
	var sig string
	c, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sig = r.Header.Get("X-Hotline-Signature")
		_ = json.NewDecoder(r.Body).Decode(&got)
		if got.Account == "404" {
			http.NotFound(w, r)
			return
		}
		again, _ := json.Marshal(got)
		r.Body = io.NopCloser(bytes.NewReader(again))
		DemoAccountsHandler(testclock.At(demoDay), time.UTC).ServeHTTP(w, r)
	}), config.Service{Secret: "lookup-secret"})
	ans, res, err := c.Lookup(context.Background(), LookupRequest{Account: "1234567890", Caller: "13800000001", CallID: "c1"})
	if err != nil || res != LookupOK || !ans.Found {
		t.Fatalf("lookup: %+v %s %v", ans, res, err)
	}
	if got.CallID != "c1" || got.Caller != "13800000001" || !strings.HasPrefix(sig, "sha256=") {
		t.Errorf("request %+v, signature %q", got, sig)
	}
	vars := ans.Vars()
	if vars[ivr.VarArea] != "north" || vars[ivr.VarBalanceCents] != "12345" || vars[ivr.VarOutageStart] == "" {
		t.Errorf("vars %v", vars)
	}
	for _, account := range []string{"5555555555", "404"} {
		if _, res, err := c.Lookup(context.Background(), LookupRequest{Account: account}); err != nil || res != LookupNotFound {
			t.Errorf("%s: %s %v", account, res, err)
		}
	}
}

func TestLookupClientFailures(t *testing.T) {
	cases := []struct {
		name     string
		handler  http.HandlerFunc
		want     string
		attempts int32
	}{
		{"500 is retried", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }, LookupError, 2},
		{"slow answer times out", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}, LookupTimeout, 2},
		{"bad JSON is not retried", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{found")) }, LookupError, 1},
		{"400 is not retried", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(400) }, LookupError, 1},
		{"amount out of range", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"found":true,"balance_cents":-5}`))
		}, LookupError, 1},
		{"bad date", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"found":true,"due_date":"5 Dec"}`))
		}, LookupError, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			c, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				tc.handler(w, r)
			}), config.Service{Timeout: 100 * time.Millisecond, Retries: retries(1)})
			_, res, err := c.Lookup(context.Background(), LookupRequest{Account: "1"})
			if res != tc.want || err == nil {
				t.Errorf("result %s, err %v; want %s", res, err, tc.want)
			}
			if n.Load() != tc.attempts {
				t.Errorf("%d attempts, want %d", n.Load(), tc.attempts)
			}
		})
	}
}

func TestLookupBreakerOpensAndHalfOpens(t *testing.T) {
	var healthy atomic.Bool
	var calls atomic.Int32
	c, clk := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !healthy.Load() {
			w.WriteHeader(503)
			return
		}
		_, _ = w.Write([]byte(`{"found":false}`))
	}), config.Service{Retries: retries(0), Breaker: config.Breaker{Failures: 3, CoolDown: 30 * time.Second}})
	ctx := context.Background()
	for i := range 3 {
		if _, res, _ := c.Lookup(ctx, LookupRequest{Account: "1"}); res != LookupError {
			t.Fatalf("failure %d: %s", i, res)
		}
	}
	if s := c.breaker.state(clk.Now()); s != "open" {
		t.Fatalf("breaker %s after 3 failures", s)
	}
	if _, res, err := c.Lookup(ctx, LookupRequest{Account: "1"}); res != LookupCircuitOpen || err == nil || calls.Load() != 3 {
		t.Fatalf("open breaker: %s %v, %d calls", res, err, calls.Load())
	}
	clk.Advance(30 * time.Second)
	if s := c.breaker.state(clk.Now()); s != "half-open" {
		t.Fatalf("breaker %s after the cool-down", s)
	}
	// The trial fails: open again for another cool-down.
	if _, res, _ := c.Lookup(ctx, LookupRequest{Account: "1"}); res != LookupError {
		t.Fatalf("trial: %s", res)
	}
	if _, res, _ := c.Lookup(ctx, LookupRequest{Account: "1"}); res != LookupCircuitOpen {
		t.Fatalf("after failed trial: %s", res)
	}
	clk.Advance(30 * time.Second)
	healthy.Store(true)
	if _, res, err := c.Lookup(ctx, LookupRequest{Account: "1"}); res != LookupNotFound || err != nil {
		t.Fatalf("good trial: %s %v", res, err)
	}
	if s := c.breaker.state(clk.Now()); s != "closed" {
		t.Errorf("breaker %s after a good trial", s)
	}
}

// Only one trial passes while half-open, however many calls arrive.
func TestLookupBreakerSingleTrial(t *testing.T) {
	b := newBreaker(1, time.Second)
	now := time.Unix(0, 0)
	b.record(false, now)
	now = now.Add(time.Second)
	if !b.allow(now) || b.allow(now) {
		t.Error("half-open breaker must let exactly one trial through")
	}
}

func TestDemoAccountsRejectsBadRequests(t *testing.T) {
	h := DemoAccountsHandler(testclock.At(demoDay), time.UTC)
	for _, tc := range []struct {
		method, body string
		want         int
	}{
		{"GET", "", http.StatusMethodNotAllowed},
		{"POST", "{", http.StatusBadRequest},
		{"POST", `{"account":"12ab"}`, http.StatusBadRequest},
		{"POST", `{"account":"8765432109"}`, http.StatusOK},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, DemoAccountsPath, strings.NewReader(tc.body)))
		if rec.Code != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.body, rec.Code, tc.want)
		}
	}
}

func TestResampleAndNormalise(t *testing.T) {
	in := make([]int16, 16000)
	for i := range in {
		in[i] = 1000
	}
	out := resample(in, 16000, 8000)
	if len(out) != 8000 || out[0] != 1000 || out[7999] != 1000 {
		t.Errorf("resample: %d samples, %d..%d", len(out), out[0], out[len(out)-1])
	}
	if _, err := normaliseNoticeWAV([]byte("RIFF")); !errors.Is(err, errBadAudio) {
		t.Errorf("garbage: %v", err)
	}
}

// A caller hanging up mid-lookup is no verdict on the service: hang-ups do
// not open the breaker, and one during a half-open trial does not leave the
// breaker waiting for a trial that never ends. Real failures still open it.
func TestLookupBreakerIgnoresCallerHangups(t *testing.T) {
	var failing atomic.Bool
	arrived := make(chan struct{}, 1)
	testOver := make(chan struct{})
	c, clk := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			w.WriteHeader(503)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body) // lets the server see the client go
		arrived <- struct{}{}
		select { // answers only after the caller has gone
		case <-r.Context().Done():
		case <-testOver:
		}
	}), config.Service{Timeout: time.Minute, Retries: retries(1), Breaker: config.Breaker{Failures: 3, CoolDown: 30 * time.Second}})
	t.Cleanup(func() { close(testOver) }) // before the server's Close, which waits for handlers
	hangUp := func() {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		_, _, err := c.Lookup(ctx, LookupRequest{Account: "1"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("hung-up lookup: %v, want context.Canceled", err)
		}
	}
	for range 5 {
		hangUp()
	}
	if s := c.breaker.state(clk.Now()); s != "closed" {
		t.Fatalf("breaker %s after 5 hang-ups; a hang-up is not a service failure", s)
	}
	failing.Store(true)
	for i := range 3 {
		if _, res, _ := c.Lookup(context.Background(), LookupRequest{Account: "1"}); res != LookupError {
			t.Fatalf("failure %d: %s", i, res)
		}
	}
	if s := c.breaker.state(clk.Now()); s != "open" {
		t.Fatalf("breaker %s after 3 real failures", s)
	}
	// Half-open: the trial's caller hangs up; the next caller is the trial.
	clk.Advance(30 * time.Second)
	failing.Store(false)
	hangUp()
	if s := c.breaker.state(clk.Now()); s != "half-open" {
		t.Fatalf("breaker %s after the trial's caller hung up, want half-open", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-arrived; cancel() }() // reaching the service proves it passed
	if _, res, _ := c.Lookup(ctx, LookupRequest{Account: "1"}); res == LookupCircuitOpen {
		t.Fatal("the breaker still waits for the abandoned trial")
	}
}

// demoDay is the day the fixed-clock look-up tests run on.
var demoDay = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// The demo accounts' due dates and outages lie ahead of the server's
// today, whatever day that is: a newcomer never hears a past date.
func TestDemoAccountsDatesFollowTheServerClock(t *testing.T) {
	shanghai := time.FixedZone("UTC+8", 8*3600)
	for _, tc := range []struct {
		now                     time.Time
		due, outageStart, other string
	}{
		{time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC), "2026-12-05", "2026-11-28T08:00:00+08:00", "2026-12-20"},
		// 20:30 UTC on 27 February is already 28 February in UTC+8; the
		// month and the year roll over.
		{time.Date(2031, 2, 27, 20, 30, 0, 0, time.UTC), "2031-03-12", "2031-03-05T08:00:00+08:00", "2031-03-27"},
	} {
		h := DemoAccountsHandler(testclock.At(tc.now), shanghai)
		ask := func(account string) LookupAnswer {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", DemoAccountsPath, strings.NewReader(`{"account":"`+account+`"}`)))
			var ans LookupAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || rec.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", account, rec.Code, rec.Body)
			}
			if err := ans.check(); err != nil {
				t.Errorf("%s on %v: %v", account, tc.now, err)
			}
			return ans
		}
		a := ask("1234567890")
		if a.DueDate != tc.due || a.PlannedOutage == nil || a.PlannedOutage.Start != tc.outageStart ||
			!strings.HasSuffix(a.PlannedOutage.End, "T16:00:00+08:00") || a.PlannedOutage.End[:10] != tc.outageStart[:10] {
			t.Errorf("on %v: due %s, outage %+v; want due %s, outage from %s", tc.now, a.DueDate, a.PlannedOutage, tc.due, tc.outageStart)
		}
		if b := ask("8765432109"); b.DueDate != tc.other || b.PlannedOutage != nil {
			t.Errorf("on %v: south account due %s, outage %+v; want %s and none", tc.now, b.DueDate, b.PlannedOutage, tc.other)
		}
	}
}
