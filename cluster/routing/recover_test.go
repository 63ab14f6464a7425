package routing

import (
	"errors"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
)

// TestPanicEndsOnlyTheCallItConcerned: a command that breaks an
// invariant of the ACD part-way (here after queueing the call) fails
// with ErrInternal; the router takes that call out of the ACD and tells
// its node to end it, and goes on routing the other calls.
func TestPanicEndsOnlyTheCallItConcerned(t *testing.T) {
	r := newTestRouter(t, "2001")
	apply(t, r, 1, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "login"}, 0))
	apply(t, r, 2, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "pause", Reason: "x"}, 0))
	r.runHook = func(c Command) ([]acd.Action, error) {
		if c.Call == "bad" {
			_, _ = r.acd.Enqueue("bad", "billing", "", 0)
			panic("test: broken invariant")
		}
		return r.run(c)
	}
	ds, err := r.Apply(3, at(Command{Node: "n1", Kind: CmdJoin, Call: "bad", Queue: "billing"}, time.Second))
	if !errors.Is(err, ErrInternal) {
		t.Fatalf("err %v, want ErrInternal", err)
	}
	if len(ds) == 0 || ds[len(ds)-1].Kind != DecLeave || ds[len(ds)-1].Reason != ReasonInternalError || ds[len(ds)-1].Node != "n1" {
		t.Fatalf("decisions %v: want a leave for n1", kinds(ds))
	}
	if _, err := r.acd.Call("bad"); err == nil {
		t.Fatal("the broken call is still in the ACD")
	}
	apply(t, r, 4, at(Command{Node: "n1", Kind: CmdJoin, Call: "good", Queue: "billing"}, 2*time.Second))
	ds = apply(t, r, 5, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "ready"}, 3*time.Second))
	if len(ds) == 0 || ds[len(ds)-1].Kind != DecOffer || ds[len(ds)-1].Call != "good" {
		t.Fatalf("the next call was not offered: %v", kinds(ds))
	}
}
