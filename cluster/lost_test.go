package cluster

import (
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// lostLog collects what a node's Leader hands over.
type lostLog struct {
	mu    sync.Mutex
	calls []routing.LostCall
	terms []uint64
}

func (g *lostLog) add(term uint64, lost []routing.LostCall) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range lost {
		g.calls, g.terms = append(g.calls, c), append(g.terms, term)
	}
}

func (g *lostLog) all() ([]routing.LostCall, []uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]routing.LostCall(nil), g.calls...), append([]uint64(nil), g.terms...)
}

// TestLeaderHandsOverTheCallsOfADeadNodeOnce: a node with a talking call
// dies without a word. The leader, and only it, hands the call over once,
// under its term, with the agent who had answered; the other node's call
// is not among them. When another node takes over, it hands the recent
// one over again under its own, higher, term (the dead leader may not
// have): what is done with them must be harmless twice.
func TestLeaderHandsOverTheCallsOfADeadNodeOnce(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	cfg := billingWith(acd.DefaultQueue("billing"), "2001")
	a := tc.startRouting("a", cfg)
	waitFor(t, 3*time.Second, "a to lead", a.leading)
	b := tc.startRouting("b", cfg)
	var atA, atB lostLog
	a.leader.OnLost(atA.add)
	b.leader.OnLost(atB.add)
	doomed, other, kill := tc.joinDoomedAndOther()
	send(t, other, routing.Command{Kind: routing.CmdAgent, Agent: "2001", Action: "login"})
	send(t, doomed, routing.Command{Kind: routing.CmdJoin, Call: "talking", Queue: "billing", Caller: "555"})
	send(t, doomed, routing.Command{Kind: routing.CmdOfferResult, Call: "talking", Agent: "2001", Result: "answered"})
	send(t, other, routing.Command{Kind: routing.CmdJoin, Call: "kept", Queue: "billing"})
	waitFor(t, 3*time.Second, "one waiting on b", func() bool { return waiting(b) == 1 })
	kill()
	waitFor(t, nodeTTLFactor*time.Second+5*time.Second, "the leader to hand over the lost call", func() bool {
		calls, _ := atA.all()
		return len(calls) > 0
	})
	time.Sleep(2500 * time.Millisecond) // two more sweeps: nothing again
	calls, terms := atA.all()
	termA, _ := a.El.Leading()
	if len(calls) != 1 || calls[0].Call != "talking" || calls[0].Node != "n1" || calls[0].Agent != "2001" ||
		calls[0].Caller != "555" || calls[0].Answered.IsZero() || terms[0] != termA {
		t.Fatalf("handed over by the leader: %+v under %v (term %d), want the talking call once", calls, terms, termA)
	}
	if got, _ := atB.all(); len(got) != 0 {
		t.Fatalf("a follower handed over %+v", got)
	}

	a.stop() // a resigns: b takes over at once
	waitFor(t, 5*time.Second, "b to hand the recent lost call over again", func() bool {
		got, _ := atB.all()
		return len(got) > 0
	})
	calls, terms = atB.all()
	if len(calls) != 1 || calls[0].Call != "talking" || terms[0] <= termA {
		t.Fatalf("handed over by the new leader: %+v under %v, want the talking call under a term above %d", calls, terms, termA)
	}
	if got, _ := atA.all(); len(got) != 1 {
		t.Fatalf("the old leader handed over %d, want 1", len(got))
	}
}
