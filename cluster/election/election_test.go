package election_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/cluster"
	"github.com/hotline-oss/hotline/cluster/election"
	"github.com/hotline-oss/hotline/cluster/internal/natstest"
)

const natsURL = natstest.URL

var waitFor = natstest.WaitFor

// testCluster is one test's cluster: its prefix, whose buckets and stream
// exist until the test ends.
type testCluster struct {
	t      testing.TB
	prefix string
	ttl    time.Duration
}

func newTestCluster(t testing.TB, ttl time.Duration) *testCluster {
	t.Helper()
	natstest.NeedNATS(t)
	tc := &testCluster{t: t, prefix: natstest.Prefix(t), ttl: ttl}
	natstest.Fresh(t, func(node string) (*cluster.Conn, error) {
		return cluster.Connect(context.Background(), tc.settings(node, natsURL))
	})
	return tc
}

func (tc *testCluster) settings(node, url string) cluster.Settings {
	return cluster.Settings{Node: node, URLs: []string{url}, Prefix: tc.prefix, LeaseTTL: tc.ttl,
		ConnectTimeout: 2 * time.Second, Log: natstest.Log()}
}

// connect opens a node's own connection, closed when the test ends.
func (tc *testCluster) connect(node, url string) *cluster.Conn {
	tc.t.Helper()
	c, err := cluster.Connect(context.Background(), tc.settings(node, url))
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.t.Cleanup(c.Close)
	return c
}

// node is one elector running on its own connection.
type node struct {
	*natstest.Elector
	conn *cluster.Conn
}

func (tc *testCluster) startNode(name, url string) *node {
	tc.t.Helper()
	c := tc.connect(name, url)
	return &node{Elector: natstest.StartElector(tc.t, c), conn: c}
}

func (n *node) leading() bool { return n.Leading() }

func (n *node) stop() { n.Stop() }

func leaders(nodes []*node) []*node {
	var out []*node
	for _, n := range nodes {
		if n.leading() {
			out = append(out, n)
		}
	}
	return out
}

func TestElectionOneLeaderAmongThree(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	nodes := []*node{tc.startNode("a", natsURL), tc.startNode("b", natsURL), tc.startNode("c", natsURL)}
	waitFor(t, 3*time.Second, "a leader", func() bool { return len(leaders(nodes)) == 1 })
	// Over several renewals, never two and never none.
	for end := time.Now().Add(2500 * time.Millisecond); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if l := leaders(nodes); len(l) != 1 {
			t.Fatalf("%d leaders", len(l))
		}
	}
}

func TestLeaderConnectionKilledAnotherTakesOver(t *testing.T) {
	ttl := time.Second
	tc := newTestCluster(t, ttl)
	nodes := []*node{tc.startNode("a", natsURL), tc.startNode("b", natsURL), tc.startNode("c", natsURL)}
	waitFor(t, 3*time.Second, "a leader", func() bool { return len(leaders(nodes)) == 1 })
	old := leaders(nodes)[0]
	oldTerm, _ := old.El.Leading()
	killed := time.Now()
	old.conn.NC.Close() // as a crash: no resignation reaches NATS
	// The client reports the closed connection on its own goroutine.
	waitFor(t, ttl/4, "the node to stop leading after losing its connection", func() bool { return !old.leading() })
	var rest []*node
	for _, n := range nodes {
		if n != old {
			rest = append(rest, n)
		}
	}
	// The lease lives at most one TTL after the last renewal; the server
	// may expire it a little late and followers retry every TTL/6.
	waitFor(t, 2*ttl+time.Second, "a new leader", func() bool { return len(leaders(rest)) == 1 })
	took := time.Since(killed)
	newTerm, _ := leaders(rest)[0].El.Leading()
	t.Logf("takeover %s after the leader's connection died (TTL %s)", took.Round(time.Millisecond), ttl)
	if newTerm <= oldTerm {
		t.Fatalf("new term %d not above the old %d", newTerm, oldTerm)
	}
}

func TestResigningLeaderHandsOverAtOnce(t *testing.T) {
	ttl := 3 * time.Second
	tc := newTestCluster(t, ttl)
	a := tc.startNode("a", natsURL)
	waitFor(t, 2*time.Second, "a to lead", a.leading)
	b := tc.startNode("b", natsURL)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	a.stop()
	waitFor(t, ttl/2, "b to take over before the TTL", b.leading)
	t.Logf("handover in %s", time.Since(start).Round(time.Millisecond))
}

// TestCutOffLeaderStopsBeforeAnotherStarts stalls the leader's link to
// NATS (its packets are held, not lost) and samples both nodes every
// millisecond: the old leader's last "leading" must come before the new
// one's first, they must never lead at the same instant, and after the
// link heals the held renewal must not revive the old leader.
func TestCutOffLeaderStopsBeforeAnotherStarts(t *testing.T) {
	ttl := time.Second
	tc := newTestCluster(t, ttl)
	px := natstest.NewProxy(t, natstest.Addr)
	a := tc.startNode("a", px.URL())
	waitFor(t, 2*time.Second, "a to lead", a.leading)
	aTerm, _ := a.El.Leading()
	b := tc.startNode("b", natsURL)

	var lastA, firstB time.Time
	overlap := false
	sample := func(until func() bool, limit time.Duration) {
		for end := time.Now().Add(limit); time.Now().Before(end) && !until(); time.Sleep(time.Millisecond) {
			now := time.Now()
			la, lb := a.leading(), b.leading()
			if la {
				lastA = now
			}
			if lb && firstB.IsZero() {
				firstB = now
			}
			overlap = overlap || (la && lb)
		}
	}
	time.Sleep(300 * time.Millisecond)
	stalled := time.Now()
	px.Stall()
	sample(func() bool { return !firstB.IsZero() }, 3*ttl)
	if firstB.IsZero() {
		t.Fatal("b never took over from the cut-off leader")
	}
	if overlap || !lastA.Before(firstB) {
		t.Fatalf("split brain: a led until %s, b from %s", lastA.Sub(stalled), firstB.Sub(stalled))
	}
	t.Logf("stalled at 0; a stopped by %s, b led from %s", lastA.Sub(stalled).Round(time.Millisecond), firstB.Sub(stalled).Round(time.Millisecond))
	bTerm, _ := b.El.Leading()
	// Heal: the held renewal reaches NATS late and must be refused.
	px.Resume()
	sample(func() bool { return false }, 2*ttl)
	if overlap || a.leading() {
		t.Fatal("the old leader acted again after its link healed")
	}
	// What a leader writes carries its term; the new one's is higher.
	if bTerm <= aTerm {
		t.Fatalf("new leader's term %d not above the old one's %d", bTerm, aTerm)
	}
}

// TestLostNATSStopsLeadingAtOnce drops the leader's link: it stops at the
// disconnection, long before its deadline.
func TestLostNATSStopsLeadingAtOnce(t *testing.T) {
	ttl := 5 * time.Second
	tc := newTestCluster(t, ttl)
	px := natstest.NewProxy(t, natstest.Addr)
	a := tc.startNode("a", px.URL())
	waitFor(t, 2*time.Second, "a to lead", a.leading)
	cut := time.Now()
	px.Cut()
	waitFor(t, ttl/2, "a to step down", func() bool { return !a.leading() })
	t.Logf("stepped down %s after the link dropped", time.Since(cut).Round(time.Millisecond))
	waitFor(t, ttl/2, "the step-down to be reported as a lost link", func() bool {
		for _, c := range a.Changes() {
			if !c.Leading && strings.Contains(c.Reason, "lost NATS") {
				return true
			}
		}
		return false
	})
}

func TestFenceKeepsTheNewestTerm(t *testing.T) {
	f := election.NewFence(nil)
	for _, term := range []uint64{3, 3, 7, 5} {
		f.Observe(term)
	}
	if f.Highest() != 7 {
		t.Fatalf("highest %d after 3, 3, 7, 5; want 7", f.Highest())
	}
}

// TestSameNodeIDNeverReclaimsAnothersLease: two processes misconfigured
// with one node id; the one that did not take the lease must not take it
// over while the other holds it.
func TestSameNodeIDNeverReclaimsAnothersLease(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	a := tc.startNode("same", natsURL)
	waitFor(t, 2*time.Second, "the first to lead", a.leading)
	b := tc.startNode("same", natsURL)
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if b.leading() {
			t.Fatal("the second process took the lease of the first, which still leads")
		}
	}
}
