package sse

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/web/webkit"
)

const (
	supSecret   = "supervisor-secret-123"
	agentSecret = "agent-1001-secret-123"
)

var eventTime = time.Date(2025, 3, 4, 10, 11, 12, 345_000_000, time.UTC)

// eventRig serves the hub as the server does: behind the supervisor's
// bearer check, closed when the HTTP server shuts down.
type eventRig struct {
	mux *http.ServeMux
	srv *http.Server
	ln  net.Listener
}

func eventServer(t *testing.T, hub *EventHub) *eventRig {
	t.Helper()
	g := webkit.Guard{Tokens: []webkit.Token{
		webkit.NewToken("sup", supSecret, webkit.RoleSupervisor, ""),
		webkit.NewToken("a1", agentSecret, webkit.RoleAgent, "1001"),
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/events", g.Auth(webkit.RoleSupervisor, hub.Serve))
	srv := &http.Server{Handler: mux}
	srv.RegisterOnShutdown(hub.Close)
	return &eventRig{mux: mux, srv: srv}
}

func (r *eventRig) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	r.ln = ln
	go func() { _ = r.srv.Serve(ln) }()
	return nil
}

func (r *eventRig) Addr() string { return r.ln.Addr().String() }

func (r *eventRig) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return r.srv.Shutdown(ctx)
}

type sseFrame struct {
	id, event, data string
}

// openStream connects and waits for the opening comment, after which the
// client is registered with the hub.
func openStream(t *testing.T, url, token string) (*http.Response, *bufio.Reader) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != ": connected\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	return resp, br
}

// readFrame reads the next event, skipping comments.
func readFrame(t *testing.T, br *bufio.Reader) sseFrame {
	t.Helper()
	var f sseFrame
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && f.event != "":
			return f
		case strings.HasPrefix(line, "id: "):
			f.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			f.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			f.data = line[6:]
		}
	}
}

func TestEventsAuth(t *testing.T) {
	s := eventServer(t, NewEventHub())
	for _, tc := range []struct {
		token string
		want  int
	}{{"", 401}, {"wrong-token-000000000", 401}, {agentSecret, 403}} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/events", nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		rec := httptest.NewRecorder()
		s.mux.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("token %q: status %d, want %d", tc.token, rec.Code, tc.want)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/events?kinds=nope", nil)
	req.Header.Set("Authorization", "Bearer "+supSecret)
	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("unknown kind: status %d, want 400", rec.Code)
	}
}

func TestEventsArriveInOrderWithIDs(t *testing.T) {
	hub := NewEventHub()
	ts := httptest.NewServer(eventServer(t, hub).mux)
	t.Cleanup(ts.Close) // after the stream's body is closed
	_, br := openStream(t, ts.URL+"/api/v1/events", supSecret)

	hub.HandleEvent(call.Event{Kind: call.CallArrived, Time: eventTime, CallID: "c1", Caller: "+15551234567", Number: "800"})
	hub.HandleEvent(call.Event{Kind: call.Queued, Time: eventTime, CallID: "c1", Queue: "billing"})
	hub.HandleEvent(call.Event{Kind: call.CallEnded, Time: eventTime, CallID: "c1", Result: call.ResultAbandonedInQueue})

	want := []struct{ id, event string }{{"1", "call_arrived"}, {"2", "queued"}, {"3", "call_ended"}}
	var frames []sseFrame
	for _, w := range want {
		f := readFrame(t, br)
		if f.id != w.id || f.event != w.event {
			t.Fatalf("got id %s event %s, want %s %s", f.id, f.event, w.id, w.event)
		}
		frames = append(frames, f)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(frames[0].data), &first); err != nil {
		t.Fatal(err)
	}
	if first["caller"] != "***4567" || first["time"] != "2025-03-04T10:11:12.345Z" || first["call_id"] != "c1" {
		t.Errorf("first event %v", first)
	}
	if _, ok := first["queue"]; ok {
		t.Errorf("empty field present: %v", first)
	}
	if !strings.Contains(frames[2].data, `"result":"abandoned_in_queue"`) {
		t.Errorf("call_ended data %s", frames[2].data)
	}
}

func TestEventsKindsFilter(t *testing.T) {
	hub := NewEventHub(WithCallerNumbers(true))
	ts := httptest.NewServer(eventServer(t, hub).mux)
	t.Cleanup(ts.Close) // after the stream's body is closed
	_, br := openStream(t, ts.URL+"/api/v1/events?kinds=call_ended,agent_answered", supSecret)

	hub.HandleEvent(call.Event{Kind: call.CallArrived, Time: eventTime, CallID: "c1"})
	hub.HandleEvent(call.Event{Kind: call.AgentAnswered, Time: eventTime, CallID: "c1", Agent: "1001", Wait: 1500 * time.Millisecond})
	hub.HandleEvent(call.Event{Kind: call.Queued, Time: eventTime, CallID: "c1"})
	hub.HandleEvent(call.Event{Kind: call.CallEnded, Time: eventTime, CallID: "c1", Caller: "+15551234567"})

	f := readFrame(t, br)
	if f.id != "2" || f.event != "agent_answered" || !strings.Contains(f.data, `"wait_seconds":1.5`) {
		t.Fatalf("first frame %+v", f)
	}
	f = readFrame(t, br)
	if f.id != "4" || f.event != "call_ended" || !strings.Contains(f.data, `"caller":"+15551234567"`) {
		t.Fatalf("second frame %+v", f)
	}
}

// A client that stops reading must never slow the bus: it is dropped.
func TestEventsSlowClientDropped(t *testing.T) {
	hub := NewEventHub(WithClientBuffer(16))
	hub.writeLimit = 200 * time.Millisecond
	ts := httptest.NewServer(eventServer(t, hub).mux)
	t.Cleanup(ts.Close) // after the stream's body is closed

	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", supSecret)
	waitFor(t, func() bool { return hub.Clients() == 1 })

	e := call.Event{Kind: call.AgentStateChanged, Time: eventTime, Agent: "1001", State: "available", PrevState: "paused", Reason: strings.Repeat("x", 200)}
	start := time.Now()
	for range 100_000 {
		hub.HandleEvent(e)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("100k HandleEvent took %s", d)
	}
	// Loopback socket buffers may have absorbed the first burst; keep
	// publishing until the hub gives up on the client.
	waitFor(t, func() bool { hub.HandleEvent(e); return hub.Clients() == 0 })
}

// A stream that stops reading misses events: the hub gives up on it
// without waiting and counts it, so the server can export what was lost.
func TestEventHubCountsStreamsItGaveUpOn(t *testing.T) {
	hub := NewEventHub(WithClientBuffer(2))
	stuck, _ := hub.join(nil)
	reading, _ := hub.join(map[call.Kind]bool{call.CallEnded: true})
	e := call.Event{Kind: call.AgentStateChanged, Time: eventTime, Agent: "1001", State: "available"}
	for range 3 {
		hub.HandleEvent(e)
	}
	select {
	case <-stuck.dropped:
	default:
		t.Fatal("the stream that fell behind is still served")
	}
	if hub.Dropped() != 1 || hub.Clients() != 1 || len(reading.ch) != 0 {
		t.Errorf("dropped %d, clients %d, filtered stream got %d; want 1, 1, 0", hub.Dropped(), hub.Clients(), len(reading.ch))
	}
}

func TestEventsEndOnServerClose(t *testing.T) {
	hub := NewEventHub()
	s := eventServer(t, hub)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	resp, br := openStream(t, "http://"+s.Addr()+"/api/v1/events", supSecret)
	_ = resp
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	rest, _ := io.ReadAll(br)
	if !strings.Contains(string(rest), ": server closing") {
		t.Errorf("stream tail %q", rest)
	}
	if err := <-closed; err != nil {
		t.Fatalf("close: %v", err)
	}
}

func TestParseKindsAndMask(t *testing.T) {
	set, err := ParseKinds([]string{"call_ended", " survey_answered "})
	if err != nil || len(set) != 2 || !set[call.CallEnded] || !set[call.SurveyAnswered] {
		t.Fatalf("set %v err %v", set, err)
	}
	if set, _ := ParseKinds(nil); set != nil {
		t.Errorf("no names: %v, want nil (all)", set)
	}
	for in, want := range map[string]string{"": "", "12": "***", "+4915112345678": "***5678"} {
		if got := MaskNumber(in); got != want {
			t.Errorf("MaskNumber(%q) = %q, want %q", in, got, want)
		}
	}
	j := NewEventJSON(call.Event{Kind: call.DispositionSet, Time: eventTime, Resolved: false, Category: "repair"}, false)
	if j.Resolved == nil || *j.Resolved {
		t.Errorf("disposition resolved %v", j.Resolved)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met before deadline")
		}
		time.Sleep(time.Millisecond)
	}
}
