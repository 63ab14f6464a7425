package web

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingSource returns a snapshot whose waiting count grows per call.
func countingSource() func() any {
	var calls atomic.Int64
	return func() any {
		n := calls.Add(1)
		return []map[string]any{{"queue": "billing", "waiting": n}}
	}
}

// readEvent reads one SSE block, returning its event name and data, and
// whether a heartbeat comment came before it.
func readEvent(t *testing.T, r *bufio.Reader) (name, data string, heartbeat bool) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && data != "":
			return name, data, heartbeat
		case line == ": heartbeat":
			heartbeat = true
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func TestWallboardStreamsSnapshotsAndStopsWhenTheClientGoes(t *testing.T) {
	source := countingSource()
	wb := &wallboard{source: source, period: 5 * time.Millisecond, heartbeatEvery: 2, shutdown: make(chan struct{})}
	returned := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(returned)
		wb.events(w, r)
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	r := bufio.NewReader(res.Body)
	heartbeats := 0
	for want := int64(1); want <= 4; want++ {
		name, data, hb := readEvent(t, r)
		if hb {
			heartbeats++
		}
		var got []struct{ Waiting int64 }
		if err := json.Unmarshal([]byte(data), &got); err != nil || name != "snapshot" || len(got) != 1 || got[0].Waiting != want {
			t.Fatalf("event %d: %s %s (%v)", want, name, data, err)
		}
	}
	if heartbeats != 2 {
		t.Errorf("heartbeats in 4 snapshots every 2: %d", heartbeats)
	}
	cancel()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream went on after the client left")
	}
}

func TestWallboardRoutesAndShutdown(t *testing.T) {
	s := New(http.NotFoundHandler(), func() error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	source := countingSource()
	s.withWallboard(source, time.Hour) // one snapshot, then an idle stream
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get("http://" + s.Addr() + "/wallboard")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page), `new EventSource("wallboard/events")`) {
		t.Fatalf("/wallboard: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if strings.Contains(string(page), "http://") || strings.Contains(string(page), "https://") {
		t.Error("the page must be self-contained: no external URLs")
	}

	stream, err := http.Get("http://" + s.Addr() + "/wallboard/events")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	if _, data, _ := readEvent(t, bufio.NewReader(stream.Body)); !strings.Contains(data, `"waiting":1`) {
		t.Fatalf("first snapshot %s", data)
	}
	// Shutdown waits up to 3 s for handlers: an open stream must end on
	// its own instead of making Close time out.
	if err := s.Close(); err != nil {
		t.Fatalf("close with an open stream: %v", err)
	}
}

func TestWallboardSendsTheTicketCountsAfterEachSnapshot(t *testing.T) {
	overdue := atomic.Int64{}
	wb := &wallboard{source: countingSource(), period: 5 * time.Millisecond, heartbeatEvery: 100, shutdown: make(chan struct{})}
	WithWallboardTickets(func() any { return map[string]int64{"overdue": overdue.Add(1), "open": 7} })(wb)
	srv := httptest.NewServer(http.HandlerFunc(wb.events))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	r := bufio.NewReader(res.Body)
	for i := int64(1); i <= 2; i++ {
		if name, _, _ := readEvent(t, r); name != "snapshot" {
			t.Fatalf("event %q, want snapshot first", name)
		}
		name, data, _ := readEvent(t, r)
		var got struct{ Overdue, Open int64 }
		if err := json.Unmarshal([]byte(data), &got); err != nil || name != "tickets" || got.Overdue != i || got.Open != 7 {
			t.Fatalf("event %s %s (%v), want the ticket counts", name, data, err)
		}
	}
}
