package routing

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
)

// TestNodeGoneRemembersTheCallsItEnds: n1 dies with a talking call, a
// waiting one and a pending callback; n2's caller is not n1's. The
// router remembers each of n1's as the ACD knew it, under the node_gone's
// sequence, and Lost hands over only those after a given sequence.
func TestNodeGoneRemembersTheCallsItEnds(t *testing.T) {
	r := newTestRouter(t, "2001")
	apply(t, r, 1, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "login"}, 0))
	apply(t, r, 2, at(Command{Node: "n1", Kind: CmdJoin, Call: "c1", Queue: "billing", Caller: "555", Priority: 3}, time.Second))
	apply(t, r, 3, at(Command{Node: "n1", Kind: CmdOfferResult, Call: "c1", Agent: "2001", Result: "answered"}, 4*time.Second))
	apply(t, r, 4, at(Command{Node: "n1", Kind: CmdJoin, Call: "c2", Queue: "billing", Caller: "556"}, 5*time.Second))
	apply(t, r, 5, at(Command{Node: "n2", Kind: CmdJoin, Call: "c3", Queue: "billing", Caller: "557"}, 6*time.Second))
	apply(t, r, 6, at(Command{Node: "n1", Kind: CmdCallback, Callback: "cb1", Action: "restore", Queue: "billing",
		Caller: "558", Number: "558", QueuedMS: routerEpoch.UnixMilli(), GiveUpAtMS: routerEpoch.Add(time.Hour).UnixMilli(),
		MaxAttempts: 3, RetryAfterMS: 60000, GiveUpAfterMS: 3600000}, 7*time.Second))
	if got := r.Lost(0); len(got) != 0 {
		t.Fatalf("lost before any node_gone: %+v", got)
	}
	apply(t, r, 7, at(Command{Node: "n2", Kind: CmdNodeGone, Gone: "n1"}, 10*time.Second))

	lost := r.Lost(0)
	if len(lost) != 3 {
		t.Fatalf("lost %+v, want c1, c2 and cb1", lost)
	}
	gone := routerEpoch.Add(10 * time.Second)
	c1, c2, cb := lost[0], lost[1], lost[2]
	if c1.Call != "c1" || c1.Seq != 7 || c1.Node != "n1" || !c1.At.Equal(gone) || c1.Queue != "billing" || c1.Caller != "555" ||
		c1.Priority != 3 || !c1.Queued.Equal(routerEpoch.Add(time.Second)) || c1.Agent != "2001" ||
		!c1.Answered.Equal(routerEpoch.Add(4*time.Second)) || c1.Callback {
		t.Errorf("talking call: %+v", c1)
	}
	if c2.Call != "c2" || c2.Agent != "" || !c2.Answered.IsZero() || c2.Callback || !c2.Queued.Equal(routerEpoch.Add(5*time.Second)) {
		t.Errorf("waiting call: %+v", c2)
	}
	if cb.Call != "cb1" || !cb.Callback {
		t.Errorf("callback: %+v", cb)
	}
	if got := r.Lost(7); len(got) != 0 {
		t.Errorf("lost after the node_gone's own sequence: %+v", got)
	}
	if w := r.Waiting(); len(w) != 1 || w[0].CallID != "c3" {
		t.Errorf("waiting after n1 is gone: %+v, want n2's c3 only", w)
	}
	// A second node_gone for the same node finds nothing more.
	apply(t, r, 8, at(Command{Node: "n2", Kind: CmdNodeGone, Gone: "n1"}, 11*time.Second))
	if got := r.Lost(7); len(got) != 0 {
		t.Errorf("a repeated node_gone lost %+v", got)
	}
}

// TestLostCallsAreBounded: the router keeps the latest keepLost.
func TestLostCallsAreBounded(t *testing.T) {
	r := newTestRouter(t)
	seq := uint64(0)
	for i := range keepLost + 5 {
		seq++
		apply(t, r, seq, at(Command{Node: "n1", Kind: CmdJoin, Call: fmt.Sprintf("c%d", i), Queue: "billing"}, time.Duration(i)*time.Millisecond))
		seq++
		apply(t, r, seq, at(Command{Node: "n2", Kind: CmdNodeGone, Gone: "n1"}, time.Duration(i)*time.Millisecond))
	}
	lost := r.Lost(0)
	if len(lost) != keepLost || lost[len(lost)-1].Seq != seq || lost[0].Seq != seq-2*keepLost+2 {
		t.Fatalf("kept %d, last seq %d, first %d", len(lost), lost[len(lost)-1].Seq, lost[0].Seq)
	}
}

// TestARefusedRestoreLeavesTheCallbackToItsHolder: n2 took n1's callback
// over; n1, back, restores it too and is refused as a duplicate: the
// callback's offer still goes to n2.
func TestARefusedRestoreLeavesTheCallbackToItsHolder(t *testing.T) {
	r := newTestRouter(t, "2001")
	restore := func(node string) Command {
		return at(Command{Node: node, Kind: CmdCallback, Callback: "cb1", Action: "restore", Queue: "billing",
			Caller: "558", Number: "558", QueuedMS: routerEpoch.UnixMilli(), GiveUpAtMS: routerEpoch.Add(time.Hour).UnixMilli(),
			MaxAttempts: 3, RetryAfterMS: 60000, GiveUpAfterMS: 3600000}, time.Second)
	}
	apply(t, r, 1, restore("n2"))
	if _, err := r.Apply(2, restore("n1")); !errors.Is(err, acd.ErrDuplicateCall) {
		t.Fatalf("second restore: %v, want a duplicate", err)
	}
	ds := apply(t, r, 3, at(Command{Node: "n3", Kind: CmdAgent, Agent: "2001", Action: "login"}, 2*time.Second))
	if got := kinds(ds); len(got) != 1 || got[0] != "offer@n2" {
		t.Fatalf("decisions after the login: %v, want the offer to n2", got)
	}
}
