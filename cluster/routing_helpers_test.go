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

// waiting counts the callers waiting in every queue of n's router.
func waiting(n *routingNode) int {
	n.leader.mu.Lock()
	defer n.leader.mu.Unlock()
	total := 0
	for _, q := range n.leader.router.Queues() {
		total += q.Waiting
	}
	return total
}
