package cluster

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
)

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// benchLeader runs a leader on its own connection: commands from the
// stream go through the Router into one ACD, decisions go back.
func benchLeader(b *testing.B, tc *testCluster) []*Conn {
	b.Helper()
	lead := tc.startNode("leader", natsURL)
	waitFor(b, 3*time.Second, "the leader", lead.leading)
	q := acd.DefaultQueue("billing")
	q.WrapUp = time.Minute
	a, err := acd.New(acd.Config{Queues: []acd.QueueConfig{q}, Agents: []acd.AgentConfig{{ID: "2001", Queues: []string{"billing"}}}}, wallClock{})
	if err != nil {
		b.Fatal(err)
	}
	router := NewRouter(a)
	var mu sync.Mutex
	stop, err := lead.conn.ConsumeCommands(context.Background(), 0, func(seq uint64, c Command) {
		mu.Lock()
		defer mu.Unlock()
		ds, err := router.Apply(seq, c)
		if err != nil {
			b.Errorf("apply: %v", err)
			return
		}
		if len(ds) > 0 {
			if err := lead.el.Decide(ds...); err != nil {
				b.Errorf("decide: %v", err)
			}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	return []*Conn{lead.conn}
}

// decisionWaiter lets a benchmark wait for a decision of a kind.
type decisionWaiter struct{ ch chan Decision }

func newDecisionWaiter(b *testing.B, c *Conn) *decisionWaiter {
	w := &decisionWaiter{ch: make(chan Decision, 64)}
	stop, err := c.ReceiveDecisions(NewFence(nil), func(d Decision) { w.ch <- d })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stop() })
	return w
}

func (w *decisionWaiter) await(b *testing.B, kind DecisionKind) {
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
// agent's node (n2) send commands into the stream, the leader applies
// them to its ACD and sends decisions back. Per call: join → offer,
// answered → connect, talk ended → wrap-up (to the agent's node), then
// the agent's ready. Reported: each command's round trip until its
// decision arrives (rtt-p50-ms, rtt-p99-ms; target p99 < 5 ms) and the
// NATS messages per call counted by every client, in and out (target ≤
// 20).
func BenchmarkClusterCall(b *testing.B) {
	tc := newTestCluster(b, 3*time.Second)
	conns := benchLeader(b, tc)
	ctx := context.Background()
	n1, n2 := tc.connect("n1", natsURL), tc.connect("n2", natsURL)
	conns = append(conns, n1, n2)
	w1, w2 := newDecisionWaiter(b, n1), newDecisionWaiter(b, n2)
	send := func(c *Conn, cmd Command) {
		if _, err := c.SendCommand(ctx, cmd); err != nil {
			b.Fatal(err)
		}
	}
	send(n2, Command{Kind: CmdAgent, Agent: "2001", Action: "login"})
	time.Sleep(100 * time.Millisecond)
	rtts := make([]time.Duration, 0, 3*b.N)
	timed := func(c *Conn, cmd Command, w *decisionWaiter, kind DecisionKind) {
		start := time.Now()
		send(c, cmd)
		w.await(b, kind)
		rtts = append(rtts, time.Since(start))
	}
	before := natsMessages(conns)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("call-%d", i)
		timed(n1, Command{Kind: CmdJoin, Call: id, Queue: "billing", Caller: "1001"}, w1, DecOffer)
		timed(n1, Command{Kind: CmdOfferResult, Call: id, Agent: "2001", Result: "answered"}, w1, DecConnect)
		timed(n1, Command{Kind: CmdTalkEnded, Call: id, Reason: "caller"}, w2, DecWrapup)
		send(n2, Command{Kind: CmdAgent, Agent: "2001", Action: "ready"})
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
