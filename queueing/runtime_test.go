package queueing

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
)

// fakeClock is a fixed time: the runtime's timer is not what these tests
// look at.
type fakeClock struct{ t time.Time }

func (c fakeClock) Now() time.Time { return c.t }

// fakeLeg is an answered agent leg that records its hang-up.
type fakeLeg struct {
	agent  string
	hungUp chan struct{}
	once   sync.Once
}

func (l *fakeLeg) Hangup() { l.once.Do(func() { close(l.hungUp) }) }

// fakeDialer answers or fails each agent as told, at once.
type fakeDialer struct {
	mu     sync.Mutex
	fail   map[string]error
	dialed chan string
	hold   chan struct{} // when set, the phone answers only once it is closed
	legs   chan *fakeLeg // every leg answered
}

var errBusy = errors.New("busy")

func (d *fakeDialer) DialAgent(ctx context.Context, agent, caller string, _ time.Duration) (*fakeLeg, error) {
	d.dialed <- agent
	d.mu.Lock()
	err := d.fail[agent]
	d.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if d.hold != nil {
		<-d.hold // answers even if the offer was withdrawn meanwhile
	}
	leg := &fakeLeg{agent: agent, hungUp: make(chan struct{})}
	if d.legs != nil {
		d.legs <- leg
	}
	return leg, nil
}

func (d *fakeDialer) Failure(err error) acd.OfferFailure {
	if errors.Is(err, errBusy) {
		return acd.FailBusy
	}
	return acd.FailFailed
}

type phones map[string]bool

func (p phones) Registered(agent string) bool { return p[agent] }

func newTestRuntime(t *testing.T, d *fakeDialer, registered phones) (*Runtime[*fakeLeg], *[]call.Event) {
	t.Helper()
	cfg := acd.Config{
		Queues: []acd.QueueConfig{acd.DefaultQueue("general")},
		Agents: []acd.AgentConfig{{ID: "1001", WorkNumber: "1001", Queues: []string{"general"}}},
	}
	clock := fakeClock{time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	a, err := acd.New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	events := &[]call.Event{}
	rt := New[*fakeLeg](a, map[string]Settings{"general": {Music: "hold"}}, Deps[*fakeLeg]{
		Dialer: d, Phones: registered, Clock: clock,
		Publish: func(e call.Event) { mu.Lock(); *events = append(*events, e); mu.Unlock() },
	})
	t.Cleanup(rt.Close)
	return rt, events
}

func next(t *testing.T, m *Mailbox) acd.Action {
	t.Helper()
	select {
	case act := <-m.Actions():
		return act
	case <-time.After(5 * time.Second):
		t.Fatal("no action in the mailbox")
		return nil
	}
}

// A queued call rings the logged-in agent; the answered leg is handed to
// whoever takes it, once.
func TestEnqueueRingsAndConnects(t *testing.T) {
	d := &fakeDialer{dialed: make(chan string, 4)}
	rt, _ := newTestRuntime(t, d, phones{"1001": true})
	if err := rt.Do(AgentLogin{Agent: "1001"}); err != nil {
		t.Fatal(err)
	}
	m := rt.Join("c1", "13800000001")
	defer rt.Leave("c1")
	if err := rt.Do(Enqueue{Call: "c1", Queue: "general", Caller: "13800000001"}); err != nil {
		t.Fatal(err)
	}
	if got := <-d.dialed; got != "1001" {
		t.Fatalf("dialled %q, want 1001", got)
	}
	for {
		act := next(t, m)
		if c, ok := act.(acd.Connect); ok {
			if c.AgentID != "1001" {
				t.Fatalf("connect to %q", c.AgentID)
			}
			break
		}
	}
	leg := rt.TakeLeg("c1")
	if leg == nil || leg.agent != "1001" {
		t.Fatalf("leg = %v, want 1001's", leg)
	}
	if again := rt.TakeLeg("c1"); again != nil {
		t.Fatal("the leg was handed over twice")
	}
	info, err := rt.Agent("1001")
	if err != nil || info.State != acd.Talking {
		t.Fatalf("agent = %+v, %v; want talking", info, err)
	}
	if err := rt.Do(TalkEnded{Call: "c1", By: call.HangupByCaller}); err != nil {
		t.Fatal(err)
	}
}

// An agent without a registered phone cannot log in; one with a phone
// can, straight into a break when asked.
func TestLoginNeedsAPhone(t *testing.T) {
	d := &fakeDialer{dialed: make(chan string, 1)}
	registered := phones{}
	rt, _ := newTestRuntime(t, d, registered)
	if err := rt.Do(AgentLogin{Agent: "1001"}); !errors.Is(err, ErrNoPhone) {
		t.Fatalf("login without a phone: %v, want ErrNoPhone", err)
	}
	if err := rt.Do(AgentLogin{Agent: "9999"}); !errors.Is(err, acd.ErrUnknownAgent) {
		t.Fatalf("login of an unknown agent: %v, want ErrUnknownAgent", err)
	}
	registered["1001"] = true
	if err := rt.Do(AgentLogin{Agent: "1001", Paused: true, Reason: "lunch"}); err != nil {
		t.Fatal(err)
	}
	if info, _ := rt.Agent("1001"); info.State != acd.Paused || info.Reason != "lunch" {
		t.Fatalf("agent = %+v, want paused for lunch", info)
	}
	rt.Registration("1001", false)
	if rt.LoggedIn("1001") {
		t.Fatal("an agent whose phone unregistered is still logged in")
	}
}

// A failed ring goes back to the ACD: the agent is no longer ringing, and
// the call is still waiting (abandon succeeds).
func TestDialFailureGoesBackToTheACD(t *testing.T) {
	d := &fakeDialer{dialed: make(chan string, 8), fail: map[string]error{"1001": errBusy}}
	rt, _ := newTestRuntime(t, d, phones{"1001": true})
	if err := rt.Do(AgentLogin{Agent: "1001"}); err != nil {
		t.Fatal(err)
	}
	rt.Join("c1", "13800000001")
	if err := rt.Do(Enqueue{Call: "c1", Queue: "general"}); err != nil {
		t.Fatal(err)
	}
	<-d.dialed
	waitFor(t, func() bool { info, _ := rt.Agent("1001"); return info.State != acd.Ringing })
	rt.Leave("c1")
	if err := rt.Do(Abandon{Call: "c1"}); err != nil {
		t.Fatalf("abandon after a failed ring: %v", err)
	}
}

// A command that panics inside the ACD fails with ErrInternal, counts, and
// ends only its call with a Leave; the runtime keeps serving.
func TestPanicEndsOnlyItsCall(t *testing.T) {
	d := &fakeDialer{dialed: make(chan string, 1)}
	rt, _ := newTestRuntime(t, d, phones{})
	counted := 0
	rt.deps.OnInternalError = func() { counted++ }
	m := rt.Join("c1", "1")
	other := rt.Join("c2", "2")
	for _, id := range []string{"c1", "c2"} {
		if err := rt.Do(Enqueue{Call: id, Queue: "general"}); err != nil {
			t.Fatal(err)
		}
	}
	next(t, m)     // Queued
	next(t, other) // Queued
	err := rt.Do(panicking{call: "c1"})
	if !errors.Is(err, ErrInternal) || counted != 1 {
		t.Fatalf("err = %v, counted %d; want ErrInternal, 1", err, counted)
	}
	if l, ok := next(t, m).(acd.Leave); !ok || l.Reason != ReasonInternalError {
		t.Fatalf("the call's mailbox got %#v, want Leave internal_error", l)
	}
	select {
	case act := <-other.Actions():
		t.Fatalf("the other call got %#v", act)
	default:
	}
	if got := rt.Snapshot(); len(got) != 1 || got[0].Waiting != 1 {
		t.Fatalf("snapshot = %+v, want one queue with the other caller waiting", got)
	}
}

// RequestCallback announces the callback's own record only when the call
// can still become one.
func TestRequestCallbackAnnouncesOnlyWhenAccepted(t *testing.T) {
	d := &fakeDialer{dialed: make(chan string, 1)}
	rt, events := newTestRuntime(t, d, phones{})
	req := RequestCallback{Call: "nowhere", CallbackID: "nowhere-cb", Number: "13800000001",
		Requested: call.Event{Kind: call.QueueRequested, CallID: "nowhere-cb"}}
	if err := rt.Do(req); !errors.Is(err, acd.ErrNotWaiting) {
		t.Fatalf("callback for a call not waiting: %v", err)
	}
	if len(*events) != 0 {
		t.Fatalf("announced %v for a refused callback", *events)
	}
}

// After Close every command fails with ErrStopped.
func TestClosedRefusesCommands(t *testing.T) {
	rt, _ := newTestRuntime(t, &fakeDialer{dialed: make(chan string, 1)}, phones{})
	rt.Close()
	if err := rt.Do(AgentReady{Agent: "1001"}); !errors.Is(err, ErrStopped) {
		t.Fatalf("after close: %v", err)
	}
	if _, ok := rt.CallbackState("x"); ok {
		t.Fatal("callback state after close")
	}
}

// A phone that answers just after the caller left is hung up, not kept.
func TestLegAnsweredAfterTheCallerLeftIsHungUp(t *testing.T) {
	d := &fakeDialer{dialed: make(chan string, 1), hold: make(chan struct{}), legs: make(chan *fakeLeg, 1)}
	rt, _ := newTestRuntime(t, d, phones{"1001": true})
	if err := rt.Do(AgentLogin{Agent: "1001"}); err != nil {
		t.Fatal(err)
	}
	rt.Join("c1", "1")
	if err := rt.Do(Enqueue{Call: "c1", Queue: "general"}); err != nil {
		t.Fatal(err)
	}
	<-d.dialed
	if err := rt.Do(Abandon{Call: "c1"}); err != nil {
		t.Fatal(err)
	}
	rt.Leave("c1")
	close(d.hold)
	leg := <-d.legs
	select {
	case <-leg.hungUp:
	case <-time.After(5 * time.Second):
		t.Fatal("the late leg was not hung up")
	}
	if rt.TakeLeg("c1") != nil {
		t.Fatal("a leg was kept for a call that left")
	}
}

type panicking struct{ call string }

func (p panicking) Name() string   { return "test panic" }
func (p panicking) CallID() string { return p.call }
func (p panicking) Apply(*acd.ACD, Env) ([]acd.Action, error) {
	panic("test: broken invariant")
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(time.Millisecond)
	}
}
