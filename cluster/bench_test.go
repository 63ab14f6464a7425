package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// benchNode is a routing node whose own decisions a benchmark waits for.
type benchNode struct {
	*node
	decisions chan routing.Decision
}

// benchNodes starts three routing nodes (the real Leader on each, one of
// them leading): the first holds the callers, the second the agent.
func benchNodes(b *testing.B, tc *testCluster) []benchNode {
	b.Helper()
	q := acd.DefaultQueue("billing")
	q.WrapUp = time.Minute
	cfg := acd.Config{Queues: []acd.QueueConfig{q}, Agents: []acd.AgentConfig{{ID: "2001", Queues: []string{"billing"}}}}
	var nodes []benchNode
	for _, name := range []string{"r1", "r2", "r3"} {
		n := benchNode{node: tc.startNode(name, natsURL), decisions: make(chan routing.Decision, 64)}
		l, err := NewLeader(n.conn, n.El, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Observe(context.Background(), nil, nil); err != nil {
			b.Fatal(err)
		}
		l.CarryOut(func(ds []routing.Decision) {
			for _, d := range ds {
				n.decisions <- d
			}
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = l.Run(ctx) }()
		b.Cleanup(func() { cancel(); <-done })
		nodes = append(nodes, n)
	}
	waitFor(b, 3*time.Second, "a leader", func() bool {
		for _, n := range nodes {
			if n.leading() {
				return true
			}
		}
		return false
	})
	return nodes
}

func (n benchNode) await(b *testing.B, kind routing.DecisionKind) {
	timeout := time.After(5 * time.Second)
	for {
		select {
		case d := <-n.decisions:
			if d.Kind == kind {
				return
			}
		case <-timeout:
			b.Fatalf("no %s decision within 5s", kind)
		}
	}
}

func natsMessages(nodes []benchNode) uint64 {
	var n uint64
	for _, bn := range nodes {
		s := bn.conn.NC.Stats()
		n += s.InMsgs + s.OutMsgs
	}
	return n
}

// BenchmarkClusterCall drives one call per operation through the
// clustered decision path on loopback, with three nodes that each follow
// the command stream: the caller's node (r1) and the agent's node (r2)
// send commands into the stream, and each carries out the decisions its
// own router makes for it. Per call: join → offer, answered → connect,
// talk ended → wrap-up (on the agent's node), then the agent's ready.
// Reported: each command's round trip until its decision is carried out
// (rtt-p50-ms, rtt-p99-ms; target p99 < 5 ms) and the NATS messages per
// call counted by every node, in and out (target ≤ 20): msgs/call with
// the lease renewals and heartbeats of the same time (few: the lease is
// long here), call-msgs/call without them.
func BenchmarkClusterCall(b *testing.B) {
	// A long lease keeps the renewals and heartbeats few next to the
	// calls' own messages.
	tc := newTestCluster(b, 30*time.Second)
	nodes := benchNodes(b, tc)
	ctx := context.Background()
	caller, agent := nodes[0], nodes[1]
	send := func(n benchNode, cmd routing.Command) {
		if _, err := n.conn.SendCommand(ctx, cmd); err != nil {
			b.Fatal(err)
		}
	}
	send(agent, routing.Command{Kind: routing.CmdAgent, Agent: "2001", Action: "login"})
	time.Sleep(100 * time.Millisecond)
	rtts := make([]time.Duration, 0, 3*b.N)
	timed := func(from benchNode, cmd routing.Command, at benchNode, kind routing.DecisionKind) {
		start := time.Now()
		send(from, cmd)
		at.await(b, kind)
		rtts = append(rtts, time.Since(start))
	}
	// The lease renewals and heartbeats go on whatever the calls: their
	// rate, measured idle, is taken out of call-msgs/call.
	idleFrom, idleStart := natsMessages(nodes), time.Now()
	time.Sleep(2 * time.Second)
	idleRate := float64(natsMessages(nodes)-idleFrom) / time.Since(idleStart).Seconds()
	before, start := natsMessages(nodes), time.Now()
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("call-%d", i)
		timed(caller, routing.Command{Kind: routing.CmdJoin, Call: id, Queue: "billing", Caller: "1001"}, caller, routing.DecOffer)
		timed(caller, routing.Command{Kind: routing.CmdOfferResult, Call: id, Agent: "2001", Result: "answered"}, caller, routing.DecConnect)
		timed(caller, routing.Command{Kind: routing.CmdTalkEnded, Call: id, Reason: "caller"}, agent, routing.DecWrapup)
		send(agent, routing.Command{Kind: routing.CmdAgent, Agent: "2001", Action: "ready"})
	}
	b.StopTimer()
	msgs := natsMessages(nodes) - before
	background := idleRate * time.Since(start).Seconds()
	slices.Sort(rtts)
	at := func(p float64) float64 {
		return float64(rtts[min(len(rtts)-1, int(p*float64(len(rtts))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "rtt-p50-ms")
	b.ReportMetric(at(0.99), "rtt-p99-ms")
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/call")
	b.ReportMetric(max(0, float64(msgs)-background)/float64(b.N), "call-msgs/call")
}

// BenchmarkLeaderRebuild measures how long a node taking over needs to
// rebuild the ACD from the command stream of a national line at its peak:
// 5 000 agents logging in over five queues, then 50 000 callers joining
// (5 000 offered, 45 000 waiting). One operation is a whole rebuild into a
// fresh router; the target is the 5 s a takeover may take, lease expiry
// included.
func BenchmarkLeaderRebuild(b *testing.B) {
	const agents, callers, queues = 5000, 50000, 5
	tc := newTestCluster(b, 3*time.Second)
	ctx := context.Background()
	n := tc.connect("n1", natsURL)
	var cfg acd.Config
	for q := range queues {
		cfg.Queues = append(cfg.Queues, acd.DefaultQueue(fmt.Sprintf("q%d", q)))
	}
	for i := range agents {
		cfg.Agents = append(cfg.Agents, acd.AgentConfig{ID: fmt.Sprint(10000 + i), Queues: []string{fmt.Sprintf("q%d", i%queues)}})
	}
	start := time.Now().UnixMilli()
	publish := func(i int, c routing.Command) {
		c.V, c.Node, c.ID, c.At = routing.WireVersion, "n1", fmt.Sprintf("b%d", i), start+int64(i)
		data, err := json.Marshal(c)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := n.JS.PublishAsync(n.Names.CommandSubject("n1"), data); err != nil {
			b.Fatal(err)
		}
	}
	for i, a := range cfg.Agents {
		publish(i, routing.Command{Kind: routing.CmdAgent, Agent: a.ID, Action: "login"})
	}
	for i := range callers {
		publish(agents+i, routing.Command{Kind: routing.CmdJoin, Call: fmt.Sprintf("c%d", i), Queue: fmt.Sprintf("q%d", i%queues)})
	}
	select {
	case <-n.JS.PublishAsyncComplete():
	case <-time.After(time.Minute):
		b.Fatal("the stream was not filled within a minute")
	}
	b.ResetTimer()
	for range b.N {
		r, err := routing.NewRouter(cfg)
		if err != nil {
			b.Fatal(err)
		}
		last, err := n.Rebuild(ctx, r)
		if err != nil || last != agents+callers {
			b.Fatalf("rebuilt to %d of %d: %v", last, agents+callers, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/rebuild")
	b.ReportMetric(float64(agents+callers)*float64(b.N)/b.Elapsed().Seconds(), "commands/s")
}
