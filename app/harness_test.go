package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/promtest"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// shiftedClock runs at the real pace from a chosen start, so business
// hours do not depend on the time of day while the ACD's timers still run.
type shiftedClock struct {
	start time.Time
	real  time.Time
}

func newShiftedClock(start time.Time) shiftedClock {
	return shiftedClock{start: start, real: time.Now()}
}

func (c shiftedClock) Now() time.Time { return c.start.Add(time.Since(c.real)) }

// officeOpen is a Monday 10:00 in Asia/Shanghai; officeClosed a Monday 22:00.
var (
	officeOpen   = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	officeClosed = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
)

// recorder keeps every event so tests can wait for IVR progress instead of
// sleeping.
type recorder struct {
	mu     sync.Mutex
	events []call.Event
	change chan struct{}
}

func newRecorder() *recorder { return &recorder{change: make(chan struct{})} }

func (r *recorder) HandleEvent(e call.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	close(r.change)
	r.change = make(chan struct{})
	r.mu.Unlock()
}

// wait blocks until match holds for some event of callID.
func (r *recorder) wait(t *testing.T, callID string, what string, match func(call.Event) bool) call.Event {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		r.mu.Lock()
		for _, e := range r.events {
			if e.CallID == callID && match(e) {
				r.mu.Unlock()
				return e
			}
		}
		ch := r.change
		r.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("call %s: timed out waiting for %s; path %v", callID, what, r.path(callID))
		}
	}
}

func (r *recorder) waitNode(t *testing.T, callID, node string) {
	t.Helper()
	r.wait(t, callID, "node "+node, func(e call.Event) bool { return e.Kind == call.IVRNodeEntered && e.Node == node })
}

// waitNodeAfter waits until the IVR entered node then after it.
func (r *recorder) waitNodeAfter(t *testing.T, callID, first, then string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		r.mu.Lock()
		seen := false
		for _, e := range r.events {
			if e.CallID != callID || e.Kind != call.IVRNodeEntered {
				continue
			}
			if seen && e.Node == then {
				r.mu.Unlock()
				return
			}
			seen = seen || e.Node == first
		}
		ch := r.change
		r.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("call %s: timed out waiting for %s after %s; path %v", callID, then, first, r.path(callID))
		}
	}
}

func (r *recorder) waitEnd(t *testing.T, callID string) call.Event {
	t.Helper()
	return r.wait(t, callID, "call end", func(e call.Event) bool { return e.Kind == call.CallEnded })
}

// count is how many events of kind callID has had so far.
func (r *recorder) count(callID string, kind call.Kind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.CallID == callID && e.Kind == kind {
			n++
		}
	}
	return n
}

func (r *recorder) path(callID string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var p []string
	for _, e := range r.events {
		if e.CallID == callID && e.Kind == call.IVRNodeEntered {
			p = append(p, e.Node)
		}
	}
	return p
}

type harness struct {
	t      *testing.T
	srv    *Server
	events *recorder
	killed bool // the test stopped the server itself (cluster tests)
}

// start runs a real server on loopback from a config file, with edit
// applied, and checks at the end that no call, port or goroutine is left.
func start(t *testing.T, file string, edit func(*config.Config)) *harness {
	t.Helper()
	return startPrepared(t, file, edit, nil)
}

// startPrepared is start with prepare run on the server before it starts,
// for tests that put a fault into one of its parts.
func startPrepared(t *testing.T, file string, edit func(*config.Config), prepare func(*Server)) *harness {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.SIP.Listen, cfg.HTTP.Listen = "127.0.0.1:0", "127.0.0.1:0"
	if edit != nil {
		edit(cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := Prepare(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	srv.clock = newShiftedClock(officeOpen)
	if prepare != nil {
		prepare(srv)
	}
	before := runtime.NumGoroutine()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: srv, events: newRecorder()}
	srv.Bus().Subscribe(h.events)
	t.Cleanup(func() {
		if !h.killed {
			h.waitIdle()
			srv.Close()
		}
		waitGoroutines(t, before)
	})
	return h
}

// waitIdle waits until the server holds no call and no RTP port.
func (h *harness) waitIdle() {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.srv.ActiveCalls() != 0 || h.srv.PortsInUse() != 0 {
		if time.Now().After(deadline) {
			h.t.Fatalf("server not idle: %d calls, %d rtp ports", h.srv.ActiveCalls(), h.srv.PortsInUse())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitGoroutines(t *testing.T, limit int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > limit {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("goroutines: %d > %d after stop\n%s", runtime.NumGoroutine(), limit, buf[:n])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (h *harness) phone(transport string) *testphone.Phone {
	h.t.Helper()
	p, err := testphone.New(testphone.Config{
		Server: h.srv.SIPAddr().String(), Transport: transport, User: "13800000001",
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = p.Close() })
	return p
}

func (h *harness) dial(p *testphone.Phone, number string) *testphone.Call {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := p.Call(ctx, number)
	if err != nil {
		h.t.Fatalf("call %s: %v", number, err)
	}
	h.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Hangup(ctx)
	})
	return c
}

// metric reads one series from the server's registry: name plus label pairs.
func (h *harness) metric(name string, labels ...string) float64 {
	h.t.Helper()
	return promtest.Value(h.t, h.srv.Metrics().Registry(), name, labels...)
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func pathString(p []string) string { return strings.Join(p, ">") }

var _ = fmt.Sprintf
