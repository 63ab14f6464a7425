package webhooks

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/signedhttp"
)

type hookRequest struct {
	body                       []byte
	signature, event, delivery string
}

// hookServer answers with statuses in turn (then 200) and records requests.
func hookServer(t *testing.T, statuses ...int) (*httptest.Server, chan hookRequest) {
	t.Helper()
	got := make(chan hookRequest, 100)
	var mu sync.Mutex
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- hookRequest{body, r.Header.Get("X-Hotline-Signature"), r.Header.Get("X-Hotline-Event"), r.Header.Get("X-Hotline-Delivery")}
		mu.Lock()
		code := http.StatusOK
		if len(statuses) > 0 {
			code, statuses = statuses[0], statuses[1:]
		}
		mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(ts.Close)
	return ts, got
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func fastOpts() Options {
	return Options{FirstBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, MaxAttempts: 5}
}

func closeHooks(t *testing.T, w *Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookSignedAndRetriedAfter5xx(t *testing.T) {
	ts, got := hookServer(t, 500, 500)
	w, err := New([]config.Webhook{{URL: ts.URL, Secret: "s3cret"}}, fastOpts(), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	w.HandleEvent(call.Event{Kind: call.CallEnded, Time: time.Unix(0, 0), CallID: "c1", Caller: "+15551234567", Result: call.ResultSelfService})
	closeHooks(t, w)

	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3", len(got))
	}
	last := <-got
	for range 2 {
		last = <-got
	}
	if last.signature != "sha256="+signedhttp.Sign([]byte("s3cret"), last.body) {
		t.Errorf("signature %q does not verify", last.signature)
	}
	if last.event != "call_ended" || last.delivery != "1" {
		t.Errorf("headers event=%q delivery=%q", last.event, last.delivery)
	}
	var body map[string]any
	if err := json.Unmarshal(last.body, &body); err != nil {
		t.Fatal(err)
	}
	if body["kind"] != "call_ended" || body["caller"] != "***4567" || body["result"] != "self_service" {
		t.Errorf("body %v", body)
	}
	if s := w.Stats()[0]; s.Delivered != 1 || s.Failed != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestWebhook4xxNotRetriedAndKindsFiltered(t *testing.T) {
	ts, got := hookServer(t, 400)
	w, err := New([]config.Webhook{{URL: ts.URL, Secret: "k", Kinds: []string{"agent_answered"}}}, fastOpts(), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	w.HandleEvent(call.Event{Kind: call.CallArrived, CallID: "c1"})
	w.HandleEvent(call.Event{Kind: call.AgentAnswered, CallID: "c1", Agent: "1001"})
	closeHooks(t, w)
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	if r := <-got; r.event != "agent_answered" || r.delivery != "2" {
		t.Errorf("request %+v", r)
	}
	if s := w.Stats()[0]; s.Failed != 1 || s.Delivered != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	ts, got := hookServer(t, 503, 429, 502, 500, 500, 500)
	w, err := New([]config.Webhook{{URL: ts.URL, Secret: "k"}}, fastOpts(), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	w.HandleEvent(call.Event{Kind: call.Held})
	closeHooks(t, w)
	if len(got) != 5 {
		t.Fatalf("%d attempts, want 5", len(got))
	}
	if s := w.Stats()[0]; s.Failed != 1 {
		t.Errorf("stats %+v", s)
	}
}

// A stuck endpoint fills its queue; further events are dropped and counted
// while HandleEvent keeps returning at once.
func TestWebhookQueueFullDrops(t *testing.T) {
	w, entered, release := stuckWebhooks(t)
	w.HandleEvent(call.Event{Kind: call.Queued})
	<-entered // the sender holds the first delivery; the queue is empty
	for range 10 {
		w.HandleEvent(call.Event{Kind: call.Queued})
	}
	if s := w.Stats()[0]; s.Dropped != 8 {
		t.Errorf("dropped %d, want 8", s.Dropped)
	}
	close(release)
	closeHooks(t, w)
	if s := w.Stats()[0]; s.Delivered != 3 {
		t.Errorf("delivered %d, want 3", s.Delivered)
	}
}

func TestWebhookConfigRejected(t *testing.T) {
	for _, h := range []config.Webhook{
		{URL: "ftp://x", Secret: "k"},
		{URL: "http://x"},
		{URL: "http://x", Secret: "k", Kinds: []string{"nope"}},
	} {
		if _, err := New([]config.Webhook{h}, Options{}, quietLog()); err == nil {
			t.Errorf("%+v accepted", h)
		}
	}
}

// stuckWebhooks sends to one endpoint that holds every delivery until
// release is closed, with a queue of 2: entered tells when the sender has
// taken a delivery.
func stuckWebhooks(t *testing.T) (w *Dispatcher, entered, release chan struct{}) {
	t.Helper()
	release = make(chan struct{})
	entered = make(chan struct{}, 10)
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		entered <- struct{}{}
		<-release
	}))
	t.Cleanup(ts.Close)
	opts := fastOpts()
	opts.QueueSize = 2
	w, err := New([]config.Webhook{{URL: ts.URL, Secret: "k", Timeout: time.Minute}}, opts, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return w, entered, release
}
