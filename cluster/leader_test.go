package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
)

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
	send(t, doomed, routing.Command{Kind: routing.CmdJoin, Call: "lost", Queue: "billing"})
	send(t, other, routing.Command{Kind: routing.CmdJoin, Call: "kept", Queue: "billing"})
	waitFor(t, 3*time.Second, "both callers waiting", func() bool { return waiting(a) == 2 })
	kill()
	waitFor(t, nodeTTLFactor*time.Second+5*time.Second, "the dead node's caller to leave", func() bool { return waiting(a) == 1 })
	otherRegs := registrationsOf(t, other)
	waitFor(t, 3*time.Second, "the dead node's registration to go", func() bool {
		got, err := otherRegs.Contacts(ctx, "2001")
		return err == nil && len(got) == 0
	})
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
