package cluster

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
)

func newTestRouter(t testing.TB, agents ...string) *routing.Router {
	t.Helper()
	q := acd.DefaultQueue("billing")
	cfg := acd.Config{Queues: []acd.QueueConfig{q}}
	for _, id := range agents {
		cfg.Agents = append(cfg.Agents, acd.AgentConfig{ID: id, Queues: []string{"billing"}})
	}
	r, err := routing.NewRouter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRebuildCatchesUpWithTheLeader: a router fed live by the stream and a
// fresh one rebuilt from the stream afterwards end in the same state, a
// bad message at the end of the stream included.
func TestRebuildCatchesUpWithTheLeader(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	n1, n2 := tc.connect("n1", natsURL), tc.connect("n2", natsURL)
	agents := []string{"2001", "2002", "2003"}
	live := newTestRouter(t, agents...)
	var got collector[uint64]
	stop, err := n1.ConsumeCommands(ctx, 0, func(seq uint64, c routing.Command) {
		_, _ = live.Apply(seq, c)
		got.add(seq)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range agents {
		if _, err := n2.SendCommand(ctx, routing.Command{Kind: routing.CmdAgent, Agent: a, Action: "login"}); err != nil {
			t.Fatal(err)
		}
	}
	var last uint64
	for i := range 20 {
		if last, err = n1.SendCommand(ctx, routing.Command{Kind: routing.CmdJoin, Call: fmt.Sprintf("c%d", i), Queue: "billing"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n1.SendCommand(ctx, routing.Command{Kind: routing.CmdOfferResult, Call: "c0", Agent: "2001", Result: "answered"}); err != nil {
		t.Fatal(err)
	}
	if _, err := n1.JS.Publish(ctx, n1.Names.CommandSubject("n1"), []byte("not a command")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "the live router", func() bool { return len(got.all()) == len(agents)+21 })
	stop()

	fresh := newTestRouter(t, agents...)
	upTo, err := n2.Rebuild(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if upTo != last+2 {
		t.Fatalf("rebuilt up to %d, the stream ends at %d", upTo, last+2)
	}
	if !reflect.DeepEqual(fresh.Queues(), live.Queues()) || !reflect.DeepEqual(fresh.Agents(), live.Agents()) {
		t.Fatalf("rebuilt state differs:\n%+v\n%+v", fresh.Queues(), live.Queues())
	}
	// Nothing new: a second rebuild returns at once.
	if fresh.Applied() != upTo {
		t.Fatalf("applied %d after rebuilding up to %d", fresh.Applied(), upTo)
	}
	if again, err := n2.Rebuild(ctx, fresh); err != nil || again != upTo {
		t.Fatalf("second rebuild: %d %v", again, err)
	}
}
