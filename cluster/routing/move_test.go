package routing

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
)

// TestRouterMovesAWaitingCallerForItsNode: a supervisor's move, sent by any
// node, takes the caller out of its queue and tells the caller's node to
// overflow it to the other queue; a connected call is refused and stays.
func TestRouterMovesAWaitingCallerForItsNode(t *testing.T) {
	cfg := routerConfig()
	cfg.Queues = append(cfg.Queues, acd.DefaultQueue("outage"))
	r, err := NewRouter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, r, 1, at(Command{Node: "n1", Kind: CmdJoin, Call: "c1", Queue: "billing"}, time.Second))
	apply(t, r, 2, at(Command{Node: "n1", Kind: CmdJoin, Call: "c2", Queue: "billing"}, 2*time.Second))
	if w := r.Waiting(); len(w) != 2 || w[0].CallID != "c1" || w[1].Position != 2 {
		t.Fatalf("waiting before the move: %+v", w)
	}

	ds := apply(t, r, 3, at(Command{Node: "n3", Kind: CmdMove, Call: "c1", Queue: "outage"}, 3*time.Second))
	var overflow *Decision
	for i := range ds {
		if ds[i].Kind == DecOverflow {
			overflow = &ds[i]
		}
	}
	if overflow == nil || overflow.Node != "n1" || overflow.Call != "c1" || overflow.Target != acd.TargetQueue+":outage" {
		t.Fatalf("move: %v %+v", kinds(ds), ds)
	}
	if w := r.Waiting(); len(w) != 1 || w[0].CallID != "c2" || w[0].Position != 1 {
		t.Fatalf("waiting after the move: %+v", w)
	}

	// The same move again: the call is no longer waiting there.
	if _, err := r.Apply(4, at(Command{Node: "n3", Kind: CmdMove, Call: "c1", Queue: "outage"}, 4*time.Second)); err == nil {
		t.Fatal("a second move of a call that left was applied")
	}
	bad := Command{V: WireVersion, ID: "x", Node: "n3", At: 1, Kind: CmdMove, Call: "c2"}
	if err := bad.Check(); err == nil {
		t.Fatal("a move without a queue passed the check")
	}
}
