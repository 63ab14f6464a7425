package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/election"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// routingNode is a cluster node running the election and the routing;
// in collects the decisions its router makes for it.
type routingNode struct {
	*node
	leader *Leader
	in     *inbox
}

func (tc *testCluster) startRouting(name string, cfg acd.Config) *routingNode {
	tc.t.Helper()
	return tc.startRoutingVia(name, natsURL, cfg)
}

func (tc *testCluster) startRoutingVia(name, url string, cfg acd.Config) *routingNode {
	tc.t.Helper()
	n := tc.startNode(name, url)
	l, in := tc.runLeader(n.conn, n.El, cfg)
	return &routingNode{node: n, leader: l, in: in}
}

// startFollower is a node that follows the stream and carries out its
// decisions but never stands for election: a node holding calls or
// agents whose role in the test is not to lead.
func (tc *testCluster) startFollower(name string, cfg acd.Config) (*Conn, *inbox) {
	tc.t.Helper()
	c := tc.connect(name, natsURL)
	el, err := election.New(context.Background(), c)
	if err != nil {
		tc.t.Fatal(err)
	}
	_, in := tc.runLeader(c, el, cfg)
	return c, in
}

func (tc *testCluster) runLeader(c *Conn, el Election, cfg acd.Config) (*Leader, *inbox) {
	tc.t.Helper()
	l, err := NewLeader(c, el, cfg)
	if err != nil {
		tc.t.Fatal(err)
	}
	// The stream's end is read now: what the test sends from here on is
	// this node's to carry out.
	if err := l.Observe(context.Background(), nil, nil); err != nil {
		tc.t.Fatal(err)
	}
	in := &inbox{t: tc.t, taken: map[int]bool{}}
	l.CarryOut(func(ds []routing.Decision) {
		for _, d := range ds {
			in.c.add(d)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = l.Run(ctx) }()
	tc.t.Cleanup(func() { cancel(); <-done })
	return l, in
}

// inbox collects a node's decisions and waits for particular ones.
type inbox struct {
	t     testing.TB
	c     collector[routing.Decision]
	taken map[int]bool // decisions already returned by await
}

// await returns the first decision of kind for call (any call if "")
// not returned before.
func (in *inbox) await(kind routing.DecisionKind, call string) routing.Decision {
	in.t.Helper()
	var found routing.Decision
	waitFor(in.t, 10*time.Second, fmt.Sprintf("%s for %q", kind, call), func() bool {
		for i, d := range in.c.all() {
			if !in.taken[i] && d.Kind == kind && (call == "" || d.Call == call) {
				in.taken[i] = true
				found = d
				return true
			}
		}
		return false
	})
	return found
}

// send sends cmd into the stream from c.
func send(t testing.TB, c *Conn, cmd routing.Command) {
	t.Helper()
	if _, err := c.SendCommand(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
}

// awaitLeader waits for one of nodes other than old to lead under a term
// above oldTerm (nil and 0 for the first leader) and returns it.
func awaitLeader(t testing.TB, timeout time.Duration, what string, nodes []*routingNode, old *routingNode, oldTerm uint64) *routingNode {
	t.Helper()
	var lead *routingNode
	waitFor(t, timeout, what, func() bool {
		for _, n := range nodes {
			if term, ok := n.El.Leading(); ok && n != old && term > oldTerm {
				lead = n
				return true
			}
		}
		return false
	})
	return lead
}

// joinDoomedAndOther joins two nodes: n1, doomed to die without a word
// when the test calls kill, and n2, which leaves when the test ends.
func (tc *testCluster) joinDoomedAndOther() (doomed, other *Conn, kill func()) {
	tc.t.Helper()
	ctx := context.Background()
	sections := map[string]string{"queues": "x"}
	doomed, other = tc.connect("n1", natsURL), tc.connect("n2", natsURL)
	m1, err := doomed.Join(ctx, sections)
	if err != nil {
		tc.t.Fatal(err)
	}
	m2, err := other.Join(ctx, sections)
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.t.Cleanup(func() { m2.Leave(ctx) })
	kill = func() {
		time.Sleep(1500 * time.Millisecond) // let the leader see n1 heartbeat
		doomed.Close()
		m1.stop()
	}
	return doomed, other, kill
}

// ringingFor is the queue billing whose offers ring for d.
func ringingFor(d time.Duration) acd.QueueConfig {
	q := acd.DefaultQueue("billing")
	q.RingTimeout = d
	return q
}

// billingWith is the queue billing with the given agents in it.
func billingWith(q acd.QueueConfig, agents ...string) acd.Config {
	cfg := acd.Config{Queues: []acd.QueueConfig{q}}
	for _, a := range agents {
		cfg.Agents = append(cfg.Agents, acd.AgentConfig{ID: a, Queues: []string{"billing"}})
	}
	return cfg
}

// TestLeaderKilledWhileCallersWaitAllAreServedInOrder: three nodes route,
// two agents take two calls and three callers wait; the leader dies
// without a word; the next leader goes on from the same state: the
// answers given meanwhile are confirmed, and the three waiting callers are
// offered in their order as the agents free up.
func TestLeaderKilledWhileCallersWaitAllAreServedInOrder(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	cfg := billingWith(ringingFor(time.Minute), "2001", "2002")
	nodes := []*routingNode{tc.startRouting("a", cfg), tc.startRouting("b", cfg), tc.startRouting("c", cfg)}
	lead := awaitLeader(t, 3*time.Second, "a leader", nodes, nil, 0)
	oldTerm, _ := lead.El.Leading()
	s := waitingScene{t: t}
	s.callers, s.in1 = tc.startFollower("n1", cfg)
	s.agents, s.in2 = tc.startFollower("n2", cfg)
	s.twoTalkThreeWait()

	// The leader dies; the agents answer meanwhile.
	lead.conn.NC.Close()
	lead.stop()
	s.answerBoth()

	// Another node leads under a newer term (ticks, presence and dead
	// nodes are its to handle from now on).
	awaitLeader(t, 5*time.Second, "a new leader", nodes, lead, oldTerm)

	s.serveTheRestInOrder()
}

// waitingScene is the calls of TestLeaderKilledWhileCallersWaitAllAreServedInOrder:
// the node of the callers and the node of the agents, what each has been
// told, and which agent was offered which call.
type waitingScene struct {
	t               testing.TB
	callers, agents *Conn
	in1, in2        *inbox
	offered         map[string]string // call → agent
}

// twoTalkThreeWait logs in both agents, lets five callers join, and checks
// that c0 and c1 are offered and c2 to c4 wait behind them.
func (s *waitingScene) twoTalkThreeWait() {
	t := s.t
	t.Helper()
	send(t, s.agents, routing.Command{Kind: routing.CmdAgent, Agent: "2001", Action: "login"})
	send(t, s.agents, routing.Command{Kind: routing.CmdAgent, Agent: "2002", Action: "login"})
	s.offered = map[string]string{}
	for i := range 5 {
		send(t, s.callers, routing.Command{Kind: routing.CmdJoin, Call: fmt.Sprintf("c%d", i), Queue: "billing"})
	}
	for _, c := range []string{"c0", "c1"} {
		s.offered[c] = s.in1.await(routing.DecOffer, c).Agents[0]
	}
	// Positions count every caller waiting, those ringing an agent too.
	for i, c := range []string{"c2", "c3", "c4"} {
		if d := s.in1.await(routing.DecQueued, c); d.Position != i+3 {
			t.Fatalf("%s queued at %d, want %d", c, d.Position, i+3)
		}
	}
}

// answerBoth has the agents answer c0 and c1 and checks both connect to
// the agent they were offered to.
func (s *waitingScene) answerBoth() {
	t := s.t
	t.Helper()
	send(t, s.callers, routing.Command{Kind: routing.CmdOfferResult, Call: "c0", Agent: s.offered["c0"], Result: "answered"})
	send(t, s.callers, routing.Command{Kind: routing.CmdOfferResult, Call: "c1", Agent: s.offered["c1"], Result: "answered"})
	for _, c := range []string{"c0", "c1"} {
		if d := s.in1.await(routing.DecConnect, c); d.Agent != s.offered[c] {
			t.Fatalf("%s connected to %s, offered to %s", c, d.Agent, s.offered[c])
		}
	}
}

// serveTheRestInOrder ends the talks one by one: each freed agent gets the
// next caller, in the callers' order.
func (s *waitingScene) serveTheRestInOrder() {
	t := s.t
	t.Helper()
	talking := []string{"c0", "c1"}
	for _, next := range []string{"c2", "c3", "c4"} {
		done := talking[0]
		talking = talking[1:]
		agent := s.offered[done]
		send(t, s.callers, routing.Command{Kind: routing.CmdTalkEnded, Call: done, Reason: "caller"})
		if d := s.in2.await(routing.DecWrapup, ""); d.Agent != agent {
			t.Fatalf("wrap-up for %s, want %s", d.Agent, agent)
		}
		send(t, s.agents, routing.Command{Kind: routing.CmdAgent, Agent: agent, Action: "ready"})
		d := s.in1.await(routing.DecOffer, next)
		if d.Agents[0] != agent {
			t.Fatalf("%s offered to %v, want %s", next, d.Agents, agent)
		}
		s.offered[next] = agent
		send(t, s.callers, routing.Command{Kind: routing.CmdOfferResult, Call: next, Agent: agent, Result: "answered"})
		s.in1.await(routing.DecConnect, next)
		talking = append(talking, next)
	}
}

// TestLeaderTicksFireTheACDTimers: an offer nobody answers is withdrawn at
// the ring timeout by a tick command that went through the stream, on
// every node's router alike.
func TestLeaderTicksFireTheACDTimers(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	cfg := billingWith(ringingFor(300*time.Millisecond), "2001")
	a := tc.startRouting("a", cfg)
	waitFor(t, 3*time.Second, "a to lead", a.leading)
	b := tc.startRouting("b", cfg)
	n1, in := tc.startFollower("n1", cfg)
	for _, c := range []routing.Command{{Kind: routing.CmdAgent, Agent: "2001", Action: "login"}, {Kind: routing.CmdJoin, Call: "c1", Queue: "billing"}} {
		if _, err := n1.SendCommand(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	in.await(routing.DecOffer, "c1")
	in.await(routing.DecCancelOffer, "c1")
	waitFor(t, 3*time.Second, "the other node to apply the same stream", func() bool {
		return a.leader.Applied() == b.leader.Applied() && a.leader.Applied() >= 3
	})
	a.leader.mu.Lock()
	qa := a.leader.router.Queues()
	a.leader.mu.Unlock()
	b.leader.mu.Lock()
	qb := b.leader.router.Queues()
	b.leader.mu.Unlock()
	if fmt.Sprint(qa) != fmt.Sprint(qb) {
		t.Fatalf("leader and follower differ:\n%+v\n%+v", qa, qb)
	}
}

// TestCutOffLeaderNeverRoutesWhileAnotherDoes: the leader's link to NATS
// stalls (its bytes held, then delivered when it heals) while callers keep
// joining through another node and an agent lets every offer ring out.
// Sampled every millisecond, the two nodes never lead at once; every
// caller gets its decision from its own node's router; the ring timeouts
// keep firing under the new leader's ticks; the old leader, once its link
// heals and the held stream reaches it, does not lead again and its
// router comes to the same state as everyone's.
func TestCutOffLeaderNeverRoutesWhileAnotherDoes(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	cfg := billingWith(ringingFor(300*time.Millisecond), "2001")
	px := newProxy(t, "127.0.0.1:4222")
	a := tc.startRoutingVia("a", px.URL(), cfg)
	waitFor(t, 3*time.Second, "a to lead", a.leading)
	b := tc.startRouting("b", cfg)
	n1, in := tc.startFollower("n1", cfg)
	if _, err := n1.SendCommand(ctx, routing.Command{Kind: routing.CmdAgent, Agent: "2001", Action: "login"}); err != nil {
		t.Fatal(err)
	}

	var overlap bool
	sampling, stopSampling := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for sampling.Err() == nil {
			overlap = overlap || (a.leading() && b.leading())
			time.Sleep(time.Millisecond)
		}
	}()
	px.Stall()
	const calls = 15
	for i := range calls {
		if _, err := n1.SendCommand(ctx, routing.Command{Kind: routing.CmdJoin, Call: fmt.Sprintf("c%d", i), Queue: "billing"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
	}
	waitFor(t, 5*time.Second, "b to lead", b.leading)
	for i := range calls {
		in.await(routing.DecQueued, fmt.Sprintf("c%d", i))
	}
	// Offers still ring out at their timeout: b sends the ticks now.
	in.await(routing.DecCancelOffer, "c0")
	px.Resume()
	time.Sleep(2 * time.Second) // the held bytes reach a; it must not lead

	stopSampling()
	<-sampled
	if overlap {
		t.Fatal("both nodes led at the same instant")
	}
	if a.leading() {
		t.Fatal("the cut-off node leads again")
	}
	waitFor(t, 5*time.Second, "the healed node to catch up", func() bool {
		return a.leader.Applied() == b.leader.Applied()
	})
	var wa, wb []acd.WaitingCall
	a.leader.View(func(r *routing.Router) { wa = r.Waiting() })
	b.leader.View(func(r *routing.Router) { wb = r.Waiting() })
	if fmt.Sprint(wa) != fmt.Sprint(wb) || len(wb) < calls-1 {
		t.Fatalf("after healing the nodes differ or lost callers:\n%+v\n%+v", wa, wb)
	}
}

// TestLeaderEndsTheCallsOfADeadNode: a node that joined, holds a waiting
// caller and an agent's registration, dies without a word. Once its
// heartbeat is gone the leader sends node_gone: its caller leaves the
// queue on every router, and its registration is dropped; the other
// node's caller stays.
func TestLeaderEndsTheCallsOfADeadNode(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	cfg := billingWith(acd.DefaultQueue("billing"), "2001")
	a := tc.startRouting("a", cfg)
	waitFor(t, 3*time.Second, "a to lead", a.leading)
	doomed, other, kill := tc.joinDoomedAndOther()
	regs := registrationsOf(t, doomed)
	if err := regs.Put(ctx, "2001", "sip:2001@10.0.0.5", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		conn *Conn
		call string
	}{{doomed, "lost"}, {other, "kept"}} {
		if _, err := c.conn.SendCommand(ctx, routing.Command{Kind: routing.CmdJoin, Call: c.call, Queue: "billing"}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 3*time.Second, "both callers waiting", func() bool { return waiting(a) == 2 })
	kill()
	waitFor(t, nodeTTLFactor*time.Second+5*time.Second, "the dead node's caller to leave", func() bool { return waiting(a) == 1 })
	otherRegs := registrationsOf(t, other)
	waitFor(t, 3*time.Second, "the dead node's registration to go", func() bool {
		got, err := otherRegs.Contacts(ctx, "2001")
		return err == nil && len(got) == 0
	})
}

func waiting(n *routingNode) int {
	n.leader.mu.Lock()
	defer n.leader.mu.Unlock()
	total := 0
	for _, q := range n.leader.router.Queues() {
		total += q.Waiting
	}
	return total
}

// TestLeaderKeepsAgentsPresence: agents' log-in and pause reach the shared
// presence, written by the leader under its term; talking does not.
func TestLeaderKeepsAgentsPresence(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	cfg := billingWith(acd.DefaultQueue("billing"), "2001")
	a := tc.startRouting("a", cfg)
	waitFor(t, 3*time.Second, "a to lead", a.leading)
	term, _ := a.El.Leading()
	n2 := tc.connect("n2", natsURL)
	ag, err := n2.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	presence := func() Presence {
		p, _, _ := ag.Get(ctx, "2001")
		return p
	}
	for _, c := range []routing.Command{
		{Kind: routing.CmdAgent, Agent: "2001", Action: "login"},
		{Kind: routing.CmdAgent, Agent: "2001", Action: "pause", Reason: "lunch"},
	} {
		if _, err := n2.SendCommand(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 3*time.Second, "2001 paused for lunch", func() bool {
		p := presence()
		return p.State == "paused" && p.Reason == "lunch" && p.Term == term
	})
	if _, err := n2.SendCommand(ctx, routing.Command{Kind: routing.CmdAgent, Agent: "2001", Action: "logout"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "2001 logged out", func() bool { return presence().State == "logged_out" })
}
