package routing

import (
	"testing"
	"time"
)

// TestRouterCallNodeFollowsTheCall: the node of a call is the one that
// joined it, while the ACD holds the call; unknown calls have none.
func TestRouterCallNodeFollowsTheCall(t *testing.T) {
	r := newTestRouter(t, "2001")
	apply(t, r, 1, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "login"}, 0))
	if n := r.CallNode("c1"); n != "" {
		t.Fatalf("unknown call on %q", n)
	}
	apply(t, r, 2, at(Command{Node: "n1", Kind: CmdJoin, Call: "c1", Queue: "billing"}, time.Second))
	apply(t, r, 3, at(Command{Node: "n1", Kind: CmdOfferResult, Call: "c1", Agent: "2001", Result: "answered"}, 2*time.Second))
	if n := r.CallNode("c1"); n != "n1" {
		t.Fatalf("connected call on %q, want n1 (the caller's node, not the agent's)", n)
	}
	apply(t, r, 4, at(Command{Node: "n1", Kind: CmdTalkEnded, Call: "c1", Reason: "caller"}, time.Minute))
	if n := r.CallNode("c1"); n != "" {
		t.Fatalf("ended call still on %q", n)
	}
}
