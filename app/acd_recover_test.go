package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/queueing"
)

// brokenInvariant stands for the ACD's own bookkeeping failing part-way
// through a command (mustTransition and the reload's panics).
type brokenInvariant struct{}

func (brokenInvariant) Error() string { return "test: broken invariant" }

// errorLog keeps the attributes of every error-level record.
type errorLog struct {
	mu      sync.Mutex
	records []map[string]string
}

func (l *errorLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelError }
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler               { return l }
func (l *errorLog) WithGroup(string) slog.Handler                    { return l }

func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]string{"msg": r.Message}
	r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
	l.mu.Lock()
	l.records = append(l.records, attrs)
	l.mu.Unlock()
	return nil
}

// find returns the first record whose attributes include want.
func (l *errorLog) find(want map[string]string) map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
next:
	for _, r := range l.records {
		for k, v := range want {
			if r[k] != v {
				continue next
			}
		}
		return r
	}
	return nil
}

// A command that breaks an invariant of the ACD ends the call it concerned
// and nothing else: one caller waiting, one talking with an agent, one
// waiting behind; the waiting caller's command panics after it has already
// changed the ACD, then the talking caller's. Both end; the third caller
// reaches the freed agent; the process counts both and keeps serving.
func TestACDPanicEndsOnlyTheCallItConcerns(t *testing.T) {
	errs := &errorLog{}
	h := startPrepared(t, acdTestConfig, nil, func(s *Server) { s.log = slog.New(errs) })
	if got := h.metric("hotline_internal_errors_total", "component", "acd"); got != 0 {
		t.Fatalf("internal errors at start = %v, want a series at 0", got)
	}
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	rt := h.srv.acd

	talker, talkID := h.dialAndPress("0")
	leg := waitIncoming(t, agent)
	h.events.wait(t, talkID, "agent answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	waiter, waitID := h.dialAndPress("0")
	queued := func(e call.Event) bool { return e.Kind == call.Queued }
	h.events.wait(t, waitID, "queued", queued)
	_, nextID := h.dialAndPress("0")
	h.events.wait(t, nextID, "queued", queued)

	// Mid-command: the waiting call has already left the queue when the
	// invariant breaks.
	err := rt.Do(testCommand{name: "test mid-command", call: waitID, apply: func(a *acd.ACD) ([]acd.Action, error) {
		if _, err := a.Abandon(waitID); err != nil {
			t.Errorf("abandon: %v", err)
		}
		panic(brokenInvariant{})
	}})
	if !errors.Is(err, queueing.ErrInternal) {
		t.Fatalf("err = %v, want queueing.ErrInternal", err)
	}
	released(t, waiter, "the waiting caller")
	if end := h.events.waitEnd(t, waitID); end.Result != call.ResultFailed || end.Reason != "acd_internal_error" {
		t.Errorf("waiting call ended %s/%s, want failed/acd_internal_error", end.Result, end.Reason)
	}
	if got := h.metric("hotline_internal_errors_total", "component", "acd"); got != 1 {
		t.Errorf("internal errors = %v, want 1", got)
	}
	logged := errs.find(map[string]string{"command": "test mid-command", "call": waitID, "component": "acd"})
	if logged == nil || logged["panic"] != "test: broken invariant" || logged["stack"] == "" {
		t.Errorf("error log = %v, want the command, the call id, the panic and its stack", logged)
	}

	// Before anything: the talking call's command breaks at once.
	err = rt.Do(testCommand{name: "test at once", call: talkID, apply: func(a *acd.ACD) ([]acd.Action, error) { panic(brokenInvariant{}) }})
	if !errors.Is(err, queueing.ErrInternal) {
		t.Fatalf("err = %v, want queueing.ErrInternal", err)
	}
	released(t, talker, "the talking caller")
	released(t, leg, "the agent's leg")
	if end := h.events.waitEnd(t, talkID); end.Result != call.ResultAnsweredByAgent || end.Reason != "acd_internal_error" {
		t.Errorf("talking call ended %s/%s, want answered/acd_internal_error", end.Result, end.Reason)
	}
	if got := h.metric("hotline_internal_errors_total", "component", "acd"); got != 2 {
		t.Errorf("internal errors = %v, want 2", got)
	}

	// The agent went through wrap-up as after any call, and the caller
	// who waited behind reaches them: the ACD kept serving.
	next := waitIncoming(t, agent)
	h.events.wait(t, nextID, "agent answered", func(e call.Event) bool {
		return e.Kind == call.AgentAnswered && e.Agent == "1001"
	})
	info, err := rt.Agent("1001")
	if err != nil || info.State != acd.Talking {
		t.Errorf("agent 1001 = %+v, %v; want talking", info, err)
	}
	if err := next.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if end := h.events.waitEnd(t, nextID); end.Result != call.ResultAnsweredByAgent {
		t.Errorf("next call ended %s/%s", end.Result, end.Reason)
	}
}

// testCommand runs any function on the ACD, as a command that breaks an
// invariant would.
type testCommand struct {
	name, call string
	apply      func(a *acd.ACD) ([]acd.Action, error)
}

func (c testCommand) Name() string   { return c.name }
func (c testCommand) CallID() string { return c.call }
func (c testCommand) Apply(a *acd.ACD, _ queueing.Env) ([]acd.Action, error) {
	return c.apply(a)
}

func released(t *testing.T, c *testphone.Call, who string) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("%s was not released", who)
	}
}
