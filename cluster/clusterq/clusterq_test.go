package clusterq

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/cluster"
	"github.com/hotline-oss/hotline/cluster/election"
	"github.com/hotline-oss/hotline/cluster/internal/natstest"
	"github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/queueing"
)

// fakeLeg is an answered agent leg.
type fakeLeg struct {
	agent  string
	mu     sync.Mutex
	hungUp bool
}

func (l *fakeLeg) Hangup() { l.mu.Lock(); l.hungUp = true; l.mu.Unlock() }

func (l *fakeLeg) isHungUp() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.hungUp }

// fakeDialer answers every ring at once with a new leg, and remembers
// each one.
type fakeDialer struct {
	mu   sync.Mutex
	legs []*fakeLeg
	fail error // when set, every ring fails with it
}

func (d *fakeDialer) DialAgent(_ context.Context, agent, _ string, _ time.Duration) (*fakeLeg, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return nil, d.fail
	}
	l := &fakeLeg{agent: agent}
	d.legs = append(d.legs, l)
	return l, nil
}

func (d *fakeDialer) Failure(error) acd.OfferFailure { return acd.FailBusy }

func (d *fakeDialer) rung() []*fakeLeg {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*fakeLeg(nil), d.legs...)
}

type allPhones struct{}

func (allPhones) Registered(string) bool { return true }

// events collects what a node announces.
type events struct {
	mu  sync.Mutex
	all []call.Event
}

func (e *events) add(ev call.Event) { e.mu.Lock(); e.all = append(e.all, ev); e.mu.Unlock() }

func (e *events) count(kind call.Kind, callID string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.all {
		if ev.Kind == kind && (callID == "" || ev.CallID == callID) {
			n++
		}
	}
	return n
}

type testNode struct {
	conn   *cluster.Conn
	el     *election.Elector
	q      *Queueing[*fakeLeg]
	dialer *fakeDialer
	events *events
}

func testConfig() acd.Config {
	q := acd.DefaultQueue("billing")
	q.RingTimeout = time.Minute
	q.WrapUp = time.Minute
	q.AnnounceEvery = 0
	return acd.Config{Queues: []acd.QueueConfig{q}, Agents: []acd.AgentConfig{
		{ID: "2001", Queues: []string{"billing"}}, {ID: "2002", Queues: []string{"billing"}},
	}}
}

// newTestPrefix gives the test a cluster of its own on the machine's
// NATS, removed when the test ends.
func newTestPrefix(t testing.TB) string {
	t.Helper()
	natstest.NeedNATS(t)
	prefix := natstest.Prefix(t)
	t.Cleanup(func() {
		conn, err := cluster.Connect(context.Background(), settings("cleanup", prefix))
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close()
		_ = conn.Remove(context.Background())
	})
	return prefix
}

func settings(node, prefix string) cluster.Settings {
	return cluster.Settings{Node: node, URLs: []string{natstest.URL}, Prefix: prefix,
		LeaseTTL: time.Second, ConnectTimeout: 2 * time.Second, Log: natstest.Log()}
}

// startNode runs one node's election, routing and clustered queueing.
func startNode(t testing.TB, prefix, name string) *testNode {
	t.Helper()
	ctx := context.Background()
	conn, err := cluster.Connect(ctx, settings(name, prefix))
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	el, err := election.New(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	l, err := cluster.NewLeader(conn, el, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	n := &testNode{conn: conn, el: el, dialer: &fakeDialer{}, events: &events{}}
	n.q, err = New[*fakeLeg](map[string]queueing.Settings{"billing": {}}, Deps[*fakeLeg]{
		Conn: conn, Leader: l, Dialer: n.dialer, Phones: allPhones{},
		Log: settings(name, prefix).Log, Publish: n.events.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = el.Run(rctx) }()
	go func() { defer wg.Done(); _ = l.Run(rctx) }()
	t.Cleanup(func() { n.q.Close(); cancel(); wg.Wait(); conn.Close() })
	return n
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	natstest.WaitFor(t, 10*time.Second, what, cond)
}

func next(t testing.TB, w *queueing.Mailbox) acd.Action {
	t.Helper()
	select {
	case a := <-w.Actions():
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("no action for the caller")
	}
	return nil
}

func leading(n *testNode) bool { _, ok := n.el.Leading(); return ok }

// TestCallOfOneNodeIsConnectedToTheAgentOfAnother: an agent logs in
// through n2; a caller joins on n1, which rings the agent, reports the
// answer, gets the Connect and the leg; both nodes see the agent
// talking, then in wrap-up; each event is announced once, by the node it
// belongs to.
func TestCallOfOneNodeIsConnectedToTheAgentOfAnother(t *testing.T) {
	prefix := newTestPrefix(t)
	n1 := startNode(t, prefix, "n1")
	waitFor(t, "n1 to lead", func() bool { return leading(n1) })
	n2 := startNode(t, prefix, "n2")
	if err := n2.q.Do(queueing.AgentLogin{Agent: "2001"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "n1 to see the agent n2 logged in", func() bool { return n1.q.LoggedIn("2001") })
	w := n1.q.Join("c1", "555")
	if err := n1.q.Do(queueing.Enqueue{Call: "c1", Queue: "billing", Caller: "555"}); err != nil {
		t.Fatal(err)
	}
	if q, ok := next(t, w).(acd.Queued); !ok || q.Position != 1 {
		t.Fatalf("first action %+v, want queued at 1", q)
	}
	conn, ok := next(t, w).(acd.Connect)
	if !ok || conn.AgentID != "2001" {
		t.Fatalf("then %+v, want connect to 2001", conn)
	}
	leg := n1.q.TakeLeg("c1")
	if leg == nil || leg.agent != "2001" {
		t.Fatalf("leg %+v", leg)
	}
	for _, n := range []*testNode{n1, n2} {
		waitFor(t, "the agent talking on every node", func() bool {
			info, err := n.q.Agent("2001")
			return err == nil && info.State == acd.Talking
		})
	}
	// The caller hangs up just after the answer: the ACD says it no
	// longer waits, as the standalone runtime does.
	if err := n1.q.Do(queueing.Abandon{Call: "c1"}); !errors.Is(err, acd.ErrNotWaiting) {
		t.Fatalf("abandon of a connected call: %v, want acd.ErrNotWaiting", err)
	}
	if err := n1.q.Do(queueing.TalkEnded{Call: "c1", By: call.HangupByCaller}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*testNode{n1, n2} {
		waitFor(t, "the agent in wrap-up on every node", func() bool {
			info, err := n.q.Agent("2001")
			return err == nil && info.State == acd.Wrapup
		})
	}
	if err := n2.q.Do(queueing.SetDisposition{Agent: "2001", Category: "billing", Resolved: true}); err != nil {
		t.Errorf("disposition: %v", err)
	}
	if n2.events.count(call.DispositionSet, "c1") != 1 || n1.events.count(call.DispositionSet, "") != 0 {
		t.Errorf("disposition announced by n2 %d, n1 %d times: want once, by the agent's node", n2.events.count(call.DispositionSet, "c1"), n1.events.count(call.DispositionSet, ""))
	}
	n1.q.Leave("c1")
	if got := n1.events.count(call.AgentAnswered, "c1") + n2.events.count(call.AgentAnswered, "c1"); got != 1 || n1.events.count(call.AgentAnswered, "c1") != 1 {
		t.Errorf("AgentAnswered announced %d times (n1 %d): want once, by the caller's node", got, n1.events.count(call.AgentAnswered, "c1"))
	}
	if n1.events.count(call.AgentStateChanged, "") != 0 || n2.events.count(call.AgentStateChanged, "") == 0 {
		t.Errorf("agent states announced by n1 %d, n2 %d: want by the agent's node only",
			n1.events.count(call.AgentStateChanged, ""), n2.events.count(call.AgentStateChanged, ""))
	}
}

// TestAnswerAfterTheCallerLeftHangsTheLegUp: a leg answered for a call
// whose caller left before the answer is hung up, not kept.
func TestAnswerAfterTheCallerLeftHangsTheLegUp(t *testing.T) {
	prefix := newTestPrefix(t)
	n1 := startNode(t, prefix, "n1")
	waitFor(t, "n1 to lead", func() bool { return leading(n1) })
	n1.q.Join("c1", "555")
	if err := n1.q.Do(queueing.Enqueue{Call: "c1", Queue: "billing"}); err != nil {
		t.Fatal(err)
	}
	if err := n1.q.Do(queueing.Abandon{Call: "c1"}); err != nil {
		t.Fatal(err)
	}
	n1.q.Leave("c1")
	// Nobody logged in: no ring. Log in now: the call is gone, no ring
	// either, and no leg is left.
	if err := n1.q.Do(queueing.AgentLogin{Agent: "2001"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if legs := n1.dialer.rung(); len(legs) != 0 {
		t.Fatalf("rang %d legs for a call that left", len(legs))
	}
}

// TestRefusals: commands the cluster does not carry and any command
// without NATS fail clearly.
func TestRefusals(t *testing.T) {
	prefix := newTestPrefix(t)
	n1 := startNode(t, prefix, "n1")
	if err := n1.q.Do(unknownCommand{}); !errors.Is(err, ErrNotClustered) {
		t.Errorf("a command of an unknown type: %v, want ErrNotClustered", err)
	}
	if err := n1.q.Do(queueing.AgentLogin{Agent: "nobody"}); err == nil {
		t.Error("an unknown agent logged in")
	}
	n1.conn.Close()
	if err := n1.q.Do(queueing.AgentReady{Agent: "2001"}); !errors.Is(err, cluster.ErrDown) {
		t.Errorf("a command without NATS: %v, want cluster.ErrDown", err)
	}
}

// TestRepeatedDecisionsAreCarriedOutOnce: decisions of a command met
// again (a stream delivered twice around a reconnection) are recognised
// by their sequence and carried out once.
func TestRepeatedDecisionsAreCarriedOutOnce(t *testing.T) {
	prefix := newTestPrefix(t)
	n1 := startNode(t, prefix, "n1")
	w := n1.q.Join("c9", "555")
	batch := []routing.Decision{
		{Seq: 100, Node: "n1", Kind: routing.DecQueued, Call: "c9", Position: 2},
		{Seq: 100, Node: "n1", Kind: routing.DecAnnounce, Call: "c9", Position: 2},
	}
	n1.q.decide(batch)
	n1.q.decide(append(batch, routing.Decision{Seq: 101, Node: "n1", Kind: routing.DecLeave, Call: "c9", Reason: "x"}))
	var got []acd.Action
	for range 3 {
		got = append(got, next(t, w))
	}
	if _, ok := got[2].(acd.Leave); !ok {
		t.Fatalf("actions %+v: want queued, announce, leave", got)
	}
	select {
	case a := <-w.Actions():
		t.Fatalf("a repeated decision was carried out again: %+v", a)
	case <-time.After(50 * time.Millisecond):
	}
}

type unknownCommand struct{}

func (unknownCommand) Name() string   { return "unknown" }
func (unknownCommand) CallID() string { return "" }
func (unknownCommand) Apply(*acd.ACD, queueing.Env) ([]acd.Action, error) {
	return nil, nil
}

// TestCallbackKeepsItsPlaceAndIsOfferedToTheRequestingNode: a waiting
// caller of n1 asks for a callback; its own event comes before the
// ACD's, every node counts it pending, and when an agent logs in
// through n2 the offer goes to n1, which holds the callback.
func TestCallbackKeepsItsPlaceAndIsOfferedToTheRequestingNode(t *testing.T) {
	prefix := newTestPrefix(t)
	n1 := startNode(t, prefix, "n1")
	waitFor(t, "n1 to lead", func() bool { return leading(n1) })
	n2 := startNode(t, prefix, "n2")
	n1.q.Join("c1", "555")
	if err := n1.q.Do(queueing.Enqueue{Call: "c1", Queue: "billing", Caller: "555"}); err != nil {
		t.Fatal(err)
	}
	cb := n1.q.Join("cb1", "callback-555")
	err := n1.q.Do(queueing.RequestCallback{Call: "c1", CallbackID: "cb1", Number: "555",
		Policy:    acd.CallbackPolicy{MaxAttempts: 2, RetryAfter: time.Minute, GiveUpAfter: time.Hour},
		Requested: call.Event{Kind: call.QueueRequested, CallID: "cb1", Queue: "billing", Time: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	n1.q.Leave("c1")
	requested, accepted := -1, -1
	n1.events.mu.Lock()
	for i, e := range n1.events.all {
		switch {
		case e.Kind == call.QueueRequested && e.CallID == "cb1":
			requested = i
		case e.Kind == call.CallbackRequested && e.CallID == "c1":
			accepted = i
		}
	}
	n1.events.mu.Unlock()
	if requested < 0 || accepted < 0 || requested > accepted {
		t.Fatalf("the callback's own event at %d, the ACD's at %d: want both, the callback's first", requested, accepted)
	}
	waitFor(t, "the callback pending on n2", func() bool { return n2.q.CallbacksPending()["billing"] == 1 })
	if st, ok := n2.q.CallbackState("cb1"); !ok || st.Number != "555" || st.Queue != "billing" {
		t.Fatalf("callback state on n2: %+v %v", st, ok)
	}
	// A second request for a call that already left is refused.
	if err := n1.q.Do(queueing.RequestCallback{Call: "c1", CallbackID: "cb2", Number: "555",
		Requested: call.Event{Kind: call.QueueRequested, CallID: "cb2"}}); !errors.Is(err, acd.ErrNotWaiting) {
		t.Fatalf("callback for a call no longer waiting: %v", err)
	}
	if n1.events.count(call.QueueRequested, "cb2") != 0 {
		t.Fatal("the refused request was announced")
	}
	if err := n2.q.Do(queueing.AgentLogin{Agent: "2001"}); err != nil {
		t.Fatal(err)
	}
	if c, ok := next(t, cb).(acd.Connect); !ok || c.AgentID != "2001" {
		t.Fatalf("callback got %+v, want connect to 2001", c)
	}
	if leg := n1.q.TakeLeg("cb1"); leg == nil {
		t.Fatal("no agent leg for the callback on n1")
	}
	if err := n1.q.Do(queueing.CallbackAnswered{ID: "cb1"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the agent talking to the customer, seen on n2", func() bool {
		info, err := n2.q.Agent("2001")
		return err == nil && info.State == acd.Talking
	})
	if err := n1.q.Do(queueing.TalkEnded{Call: "cb1", By: call.HangupByCaller}); err != nil {
		t.Fatal(err)
	}
	n1.q.Leave("cb1")
	waitFor(t, "no callback pending on n2", func() bool { return n2.q.CallbacksPending()["billing"] == 0 })
}
