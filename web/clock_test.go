package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// windowRecorder remembers the window each list call was asked for.
type windowRecorder struct{ from, to time.Time }

func (w *windowRecorder) ListFaults(_ context.Context, from, to time.Time) (any, error) {
	w.from, w.to = from, to
	return []string{}, nil
}

func (w *windowRecorder) FaultRecording(context.Context, string) (io.ReadSeekCloser, error) {
	return nil, ErrNotFound
}

func (w *windowRecorder) Interval(_ context.Context, q ReportQuery) (Table, error) {
	w.from, w.to = q.From, q.To
	return Table{}, nil
}
func (w *windowRecorder) Agents(ctx context.Context, q ReportQuery) (Table, error) {
	return w.Interval(ctx, q)
}
func (w *windowRecorder) RepeatCallers(ctx context.Context, q ReportQuery) (Table, error) {
	return w.Interval(ctx, q)
}

// The default windows of the HTTP side come from the server's clock, not
// the wall clock: a server (or a test) whose clock is far from today must
// still list what happened in "the last 7 days" and "today" of its own.
func TestDefaultWindowsFollowTheServerClock(t *testing.T) {
	serverNow := time.Date(2020, 3, 4, 10, 30, 0, 0, time.UTC) // far from the wall clock
	rec := &windowRecorder{}
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)),
		WithServerClock(func() time.Time { return serverNow }))
	tokens := []Token{NewToken("admin", "admin-secret-12345", RoleAdmin, "")}
	s.WithFaults(rec, tokens)
	s.WithReports(rec, tokens, time.UTC)
	get := func(path string) {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer admin-secret-12345")
		w := httptest.NewRecorder()
		s.mux.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
	}

	get("/api/v1/faults")
	if want := serverNow.Add(-7 * 24 * time.Hour); !rec.from.Equal(want) || !rec.to.After(serverNow) {
		t.Errorf("faults default window = %s .. %s, want %s .. just after %s", rec.from, rec.to, want, serverNow)
	}
	get("/api/v1/reports/interval")
	if want := time.Date(2020, 3, 4, 0, 0, 0, 0, time.UTC); !rec.from.Equal(want) || !rec.to.Equal(want.AddDate(0, 0, 1)) {
		t.Errorf("report default window = %s .. %s, want the server's today %s", rec.from, rec.to, want)
	}
}

type downReports struct{}

func (downReports) Interval(context.Context, ReportQuery) (Table, error) {
	return Table{}, fmt.Errorf("%w: database away", ErrUnavailable)
}
func (d downReports) Agents(ctx context.Context, q ReportQuery) (Table, error) {
	return d.Interval(ctx, q)
}
func (d downReports) RepeatCallers(ctx context.Context, q ReportQuery) (Table, error) {
	return d.Interval(ctx, q)
}

// A report the records cannot make now is 503 (try again), not 400 (fix
// your query).
func TestReportsWithoutRecordsAnswer503(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.WithReports(downReports{}, []Token{NewToken("admin", "admin-secret-12345", RoleAdmin, "")}, time.UTC)
	for _, path := range []string{"/api/v1/reports/interval", "/api/v1/reports/agents", "/api/v1/reports/repeat-callers"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer admin-secret-12345")
		w := httptest.NewRecorder()
		s.mux.ServeHTTP(w, req)
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the records away: %d %s, want 503", path, w.Code, w.Body)
		}
	}
}
