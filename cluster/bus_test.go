package cluster

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/cluster/routing"
)

// collector gathers what a handler receives.
type collector[T any] struct {
	mu  sync.Mutex
	got []T
}

func (c *collector[T]) add(v T) { c.mu.Lock(); c.got = append(c.got, v); c.mu.Unlock() }

func (c *collector[T]) all() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]T(nil), c.got...)
}

func (tc *testCluster) connectWithMetrics(node string) (*Conn, *Metrics) {
	tc.t.Helper()
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		tc.t.Fatal(err)
	}
	s := tc.settings(node, natsURL)
	s.Metrics = m
	c, err := Connect(context.Background(), s)
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.t.Cleanup(c.Close)
	return c, m
}

type seqCmd struct {
	seq uint64
	cmd routing.Command
}

func TestCommandsReachTheLeaderInOrderOnce(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	a, b := tc.connect("a", natsURL), tc.connect("b", natsURL)
	leader, _ := tc.connectWithMetrics("l")
	var got collector[seqCmd]
	stop, err := leader.ConsumeCommands(ctx, 0, func(seq uint64, c routing.Command) { got.add(seqCmd{seq, c}) })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	sends := []struct {
		c   *Conn
		cmd routing.Command
	}{
		{a, routing.Command{Kind: routing.CmdJoin, Call: "c1", Queue: "billing", Caller: "1001"}},
		{b, routing.Command{Kind: routing.CmdAgent, Agent: "2001", Action: "login"}},
		{a, routing.Command{ID: "fixed", Kind: routing.CmdOfferResult, Call: "c1", Agent: "2001", Result: "answered"}},
		{a, routing.Command{ID: "fixed", Kind: routing.CmdOfferResult, Call: "c1", Agent: "2001", Result: "answered"}}, // a retry
		{a, routing.Command{Kind: routing.CmdTalkEnded, Call: "c1", Reason: "caller"}},
	}
	var seqs []uint64
	for _, s := range sends {
		seq, err := s.c.SendCommand(ctx, s.cmd)
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	if seqs[2] != seqs[3] {
		t.Errorf("the retry was stored again: sequences %v", seqs)
	}
	waitFor(t, 2*time.Second, "four commands", func() bool { return len(got.all()) >= 4 })
	time.Sleep(50 * time.Millisecond)
	all := got.all()
	want := []routing.CommandKind{routing.CmdJoin, routing.CmdAgent, routing.CmdOfferResult, routing.CmdTalkEnded}
	if len(all) != len(want) {
		t.Fatalf("got %d commands, want %d: %+v", len(all), len(want), all)
	}
	for i, w := range want {
		if all[i].cmd.Kind != w || (i > 0 && all[i].seq <= all[i-1].seq) {
			t.Errorf("command %d: %+v", i, all[i])
		}
	}
	if all[1].cmd.Node != "b" || all[0].cmd.Node != "a" {
		t.Errorf("nodes not stamped: %+v", all)
	}
	// A new leader replays from a sequence it had applied.
	var replay collector[seqCmd]
	stop2, err := leader.ConsumeCommands(ctx, all[2].seq, func(seq uint64, c routing.Command) { replay.add(seqCmd{seq, c}) })
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	waitFor(t, 2*time.Second, "the replay", func() bool { return len(replay.all()) == 2 })
}

func TestBadCommandsAreDroppedAndCounted(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	a := tc.connect("a", natsURL)
	leader, m := tc.connectWithMetrics("l")
	var got collector[seqCmd]
	stop, err := leader.ConsumeCommands(ctx, 0, func(seq uint64, c routing.Command) { got.add(seqCmd{seq, c}) })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	bad := []string{
		`not json`,
		`{"v":1,"id":"x","node":"a","kind":"join","call":"c1"}`,                 // no queue
		`{"v":1,"id":"x","node":"a","kind":"explode","call":"c1"}`,              // unknown kind
		`{"v":2,"id":"x","node":"a","kind":"abandon","call":"c1"}`,              // unknown version
		`{"v":1,"id":"x","node":"a","kind":"abandon","call":"c1","extra":true}`, // unknown field
		`{"v":1,"id":"x","node":"b","kind":"abandon","call":"c1"}`,              // node b on a's subject
		`{"v":1,"id":"x","node":"a","kind":"offer_result","call":"c","agent":"1","result":"maybe"}`,
		`{"v":1,"id":"x","node":"a","kind":"abandon","call":"c1"} {"v":1}`, // trailing data
	}
	for i, raw := range bad {
		if _, err := a.JS.Publish(ctx, a.Names.CommandSubject("a"), []byte(raw)); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if _, err := a.SendCommand(ctx, routing.Command{Kind: routing.CmdAbandon, Call: "good"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the good command", func() bool { return len(got.all()) == 1 })
	if c := got.all()[0].cmd; c.Call != "good" {
		t.Fatalf("applied %+v", c)
	}
	if n := testutil.ToFloat64(m.bad.WithLabelValues(SubjectCommands)); n != float64(len(bad)) {
		t.Fatalf("hotline_cluster_bad_messages_total{subject=commands} = %v, want %d", n, len(bad))
	}
	// A node refuses to send what it could not apply.
	if _, err := a.SendCommand(ctx, routing.Command{Kind: routing.CmdJoin, Call: "c"}); err == nil {
		t.Fatal("a join without queue was sent")
	}
}
