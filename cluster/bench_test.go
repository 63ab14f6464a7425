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

// benchNodes starts three routing nodes (the real Leader, one of them
// leading) and returns their connections, whose messages count too.
func benchNodes(b *testing.B, tc *testCluster, hot bool) []*Conn {
	b.Helper()
	q := acd.DefaultQueue("billing")
	q.WrapUp = time.Minute
	cfg := acd.Config{Queues: []acd.QueueConfig{q}, Agents: []acd.AgentConfig{{ID: "2001", Queues: []string{"billing"}}}}
	var conns []*Conn
	var nodes []*routingNode
	for _, name := range []string{"r1", "r2", "r3"} {
		n := tc.startRoutingVia(name, natsURL, cfg, hot)
		nodes = append(nodes, n)
		conns = append(conns, n.conn)
	}
	waitFor(b, 3*time.Second, "a leader", func() bool {
		for _, n := range nodes {
			if n.leading() {
				return true
			}
		}
		return false
	})
	return conns
}

// decisionWaiter lets a benchmark wait for a decision of a kind.
type decisionWaiter struct{ ch chan routing.Decision }

func newDecisionWaiter(b *testing.B, c *Conn) *decisionWaiter {
	w := &decisionWaiter{ch: make(chan routing.Decision, 64)}
	stop, err := c.ReceiveDecisions(NewFence(nil), func(d routing.Decision) { w.ch <- d })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stop() })
	return w
}

func (w *decisionWaiter) await(b *testing.B, kind routing.DecisionKind) {
	timeout := time.After(5 * time.Second)
	for {
		select {
		case d := <-w.ch:
			if d.Kind == kind {
				return
			}
		case <-timeout:
			b.Fatalf("no %s decision within 5s", kind)
		}
	}
}

func natsMessages(conns []*Conn) uint64 {
	var n uint64
	for _, c := range conns {
		s := c.NC.Stats()
		n += s.InMsgs + s.OutMsgs
	}
	return n
}

// BenchmarkClusterCall drives one call per operation through the
// clustered decision path on loopback: the caller's node (n1) and the
// agent's node (n2) send commands into the stream; three routing nodes
// run, one leading, which applies them to its ACD and sends decisions
// back. Per call: join → offer, answered → connect, talk ended → wrap-up
// (to the agent's node), then the agent's ready. Reported: each command's
// round trip until its decision arrives (rtt-p50-ms, rtt-p99-ms; target
// p99 < 5 ms) and the NATS messages per call counted by every client, in
// and out (target ≤ 20). cold: the two standbys replay at a takeover;
// hot: they follow the stream all along.
func BenchmarkClusterCall(b *testing.B) {
	b.Run("cold-standby", func(b *testing.B) { benchClusterCall(b, false) })
	b.Run("hot-standby", func(b *testing.B) { benchClusterCall(b, true) })
}

func benchClusterCall(b *testing.B, hot bool) {
	tc := newTestCluster(b, 3*time.Second)
	conns := benchNodes(b, tc, hot)
	ctx := context.Background()
	n1, n2 := tc.connect("n1", natsURL), tc.connect("n2", natsURL)
	conns = append(conns, n1, n2)
	w1, w2 := newDecisionWaiter(b, n1), newDecisionWaiter(b, n2)
	send := func(c *Conn, cmd routing.Command) {
		if _, err := c.SendCommand(ctx, cmd); err != nil {
			b.Fatal(err)
		}
	}
	send(n2, routing.Command{Kind: routing.CmdAgent, Agent: "2001", Action: "login"})
	time.Sleep(100 * time.Millisecond)
	rtts := make([]time.Duration, 0, 3*b.N)
	timed := func(c *Conn, cmd routing.Command, w *decisionWaiter, kind routing.DecisionKind) {
		start := time.Now()
		send(c, cmd)
		w.await(b, kind)
		rtts = append(rtts, time.Since(start))
	}
	before := natsMessages(conns)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("call-%d", i)
		timed(n1, routing.Command{Kind: routing.CmdJoin, Call: id, Queue: "billing", Caller: "1001"}, w1, routing.DecOffer)
		timed(n1, routing.Command{Kind: routing.CmdOfferResult, Call: id, Agent: "2001", Result: "answered"}, w1, routing.DecConnect)
		timed(n1, routing.Command{Kind: routing.CmdTalkEnded, Call: id, Reason: "caller"}, w2, routing.DecWrapup)
		send(n2, routing.Command{Kind: routing.CmdAgent, Agent: "2001", Action: "ready"})
	}
	b.StopTimer()
	msgs := natsMessages(conns) - before
	slices.Sort(rtts)
	at := func(p float64) float64 {
		return float64(rtts[min(len(rtts)-1, int(p*float64(len(rtts))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "rtt-p50-ms")
	b.ReportMetric(at(0.99), "rtt-p99-ms")
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/call")
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
