package cluster

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/cluster/election"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// reloadConfigs are a cluster's configuration before and after a reload:
// billing is removed, sales and agent 2002 are added.
func reloadConfigs() (before, after acd.Config) {
	billing := acd.DefaultQueue("billing")
	billing.RingTimeout = time.Minute
	sales := acd.DefaultQueue("sales")
	sales.RingTimeout = time.Minute
	before = acd.Config{Queues: []acd.QueueConfig{billing}, Agents: []acd.AgentConfig{
		{ID: "2001", Queues: []string{"billing"}},
	}}
	after = acd.Config{Queues: []acd.QueueConfig{sales}, Agents: []acd.AgentConfig{
		{ID: "2001", Queues: []string{"sales"}}, {ID: "2002", Queues: []string{"sales"}},
	}}
	return before, after
}

// routerState is what must be the same on every node.
type routerState struct {
	Hash    string
	Applied uint64
	Queues  []acd.QueueStats
	Agents  []acd.AgentInfo
}

func stateOf(l *Leader) (s routerState) {
	l.View(func(r *routing.Router) {
		s = routerState{Hash: r.ConfigHash(), Applied: r.Applied(), Queues: r.Queues(), Agents: r.Agents()}
	})
	return s
}

// TestReloadAppliesOnEveryNodeAtTheSameCommand: node a stores a new
// configuration and sends the reload; node b fetches it from the bucket.
// Both routers reload between the same two commands: the caller who
// joined billing before leaves when it is removed, agent 2002 refused
// before is taken after, and a node started afterwards, replaying the
// stream from its first command, ends in the same state.
func TestReloadAppliesOnEveryNodeAtTheSameCommand(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	before, after := reloadConfigs()
	a, b := tc.startRouting("a", before), tc.startRouting("b", before)
	callers, in1 := tc.startFollower("n1", before)
	agents, _ := tc.startFollower("n2", before)
	send := func(c *Conn, cmd routing.Command) uint64 {
		t.Helper()
		seq, err := c.SendCommand(ctx, cmd)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	send(callers, routing.Command{Kind: routing.CmdJoin, Call: "c1", Queue: "billing"})
	send(agents, routing.Command{Kind: routing.CmdAgent, Agent: "2002", Action: "login"})
	hash, err := a.conn.PublishACDConfig(ctx, after)
	if err != nil {
		t.Fatal(err)
	}
	reloadSeq := send(a.conn, routing.Command{Kind: routing.CmdReload, Hash: hash})
	send(agents, routing.Command{Kind: routing.CmdAgent, Agent: "2002", Action: "login"})
	last := send(callers, routing.Command{Kind: routing.CmdJoin, Call: "c2", Queue: "sales"})

	if d := in1.await(routing.DecLeave, "c1"); d.Reason != action.ReasonQueueRemoved || d.Seq != reloadSeq {
		t.Fatalf("billing's caller: %+v, want a leave at %d", d, reloadSeq)
	}
	if d := in1.await(routing.DecOffer, "c2"); !reflect.DeepEqual(d.Agents, []string{"2002"}) {
		t.Fatalf("sales' caller offered to %v, want 2002", d.Agents)
	}
	for _, n := range []*routingNode{a, b} {
		waitFor(t, 5*time.Second, "every node to apply the stream", func() bool { return n.leader.Applied() >= last })
	}
	sa, sb := stateOf(a.leader), stateOf(b.leader)
	if sa.Hash != hash || !reflect.DeepEqual(sa, sb) {
		t.Fatalf("the nodes differ after the reload:\na %+v\nb %+v", sa, sb)
	}
	if len(sa.Queues) != 1 || sa.Queues[0].Name != "sales" || sa.Queues[0].Waiting != 1 {
		t.Fatalf("queues after the reload: %+v", sa.Queues)
	}

	// A node started now replays everything: the same reload at the same
	// command, with the configuration read from the bucket.
	c := tc.startRouting("c", before)
	waitFor(t, 5*time.Second, "the new node to replay the stream", func() bool { return c.leader.Applied() >= last })
	if sc := stateOf(c.leader); !reflect.DeepEqual(sa, sc) {
		t.Fatalf("the replay differs:\nlive %+v\nreplay %+v", sa, sc)
	}
	// So does a router rebuilt from the stream.
	r, err := routing.NewRouter(before)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.connect("rebuild", natsURL).Rebuild(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.ConfigHash() != hash || !reflect.DeepEqual(r.Queues(), sa.Queues) || !reflect.DeepEqual(r.Agents(), sa.Agents) {
		t.Fatalf("the rebuilt router differs: %s %+v", r.ConfigHash(), r.Queues())
	}
}

// TestReloadWhoseConfigurationIsMissingIsShownAndCounted: a reload
// naming a configuration the bucket does not hold leaves the node's ACD
// as it was; the node says so in hotline_cluster_config_differs and
// counts it, until a reload it can apply comes.
func TestReloadWhoseConfigurationIsMissingIsShownAndCounted(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	before, after := reloadConfigs()
	conn, m := tc.connectWithMetrics("a")
	el, err := election.New(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLeader(conn, el, before)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = l.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	start := stateOf(l)

	missing, _, err := routing.EncodeConfig(after)
	if err != nil {
		t.Fatal(err)
	}
	other := tc.connect("b", natsURL)
	seq, err := other.SendCommand(ctx, routing.Command{Kind: routing.CmdReload, Hash: missing})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the reload to be applied", func() bool { return l.Applied() >= seq })
	if s := stateOf(l); s.Hash != start.Hash || !reflect.DeepEqual(s.Queues, start.Queues) {
		t.Fatalf("the ACD changed without its configuration: %+v", s)
	}
	if testutil.ToFloat64(m.differs) != 1 || testutil.ToFloat64(m.reloads) != 1 {
		t.Fatalf("config_differs %v, reload failures %v: want 1 and 1", testutil.ToFloat64(m.differs), testutil.ToFloat64(m.reloads))
	}

	hash, err := other.PublishACDConfig(ctx, after)
	if err != nil {
		t.Fatal(err)
	}
	if seq, err = other.SendCommand(ctx, routing.Command{Kind: routing.CmdReload, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the next reload to be applied", func() bool { return l.Applied() >= seq })
	if s := stateOf(l); s.Hash != hash {
		t.Fatalf("the next reload was not applied: %s", s.Hash)
	}
	if testutil.ToFloat64(m.differs) != 0 {
		t.Fatal("config_differs still 1 once a reload applied")
	}
}
