package cluster_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testphone"
)

// attendedAcrossNodes: an agent whose phone registered through one node
// serves a caller of another, holds, and consults a colleague through
// the front. Wherever the front sends that consult call, it ends up on
// the caller's node (a node redirects it, the front follows); the REFER
// with Replaces then hands the caller to the colleague, with audio both
// ways and every medium on the caller's node.
func attendedAcrossNodes(t *testing.T, c *cluster, placed *int) {
	home := c.nodes[1]
	a := c.loginAgent(t, "1001", home)
	c.waitAgents(t, "available", 1)
	defer a.feature(t, featureLogout)
	caller, leg, landed := callerOnAnotherNode(t, c, a, placed)
	colleague := c.loginAgent(t, "1003", c.nodes[2])
	defer colleague.feature(t, featureLogout)

	if err := leg.Hold(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	// The agent's phone places the consult call through the front, as a
	// phone behind it does.
	consult, err := phone(t, c.front.addr, "1001", "pw1001").Call(ctxFor(t, 15*time.Second), "1003")
	if err != nil {
		t.Fatalf("consult call through the front: %v", err)
	}
	consultLeg := waitIncoming(t, colleague)
	if got := c.nodeOf(t, consult); got != landed {
		t.Errorf("the consult call runs on %s, the caller's node is %s", got.id, landed.id)
	}
	if got := c.nodeOf(t, consultLeg); got != landed {
		t.Errorf("the colleague's consult leg comes from %s, the caller's node is %s", got.id, landed.id)
	}
	consult.SendTone(700)
	consultLeg.SendTone(1100)
	heard(t, consultLeg, 25, "the colleague hears the agent on the consult")
	heard(t, consult, 25, "the agent hears the colleague on the consult")

	if code, err := leg.ReferReplaces(ctxFor(t, 5*time.Second), consult); err != nil || code != 202 {
		t.Fatalf("REFER with Replaces: %d %v", code, err)
	}
	if final, err := leg.WaitReferFinal(ctxFor(t, 5*time.Second)); err != nil || final != 200 {
		t.Fatalf("transfer NOTIFY: %d %v", final, err)
	}
	select {
	case <-consult.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the consult call was not hung up after the transfer")
	}
	caller.SendTone(500)
	consultLeg.SendTone(1300)
	heard(t, consultLeg, 25, "the colleague hears the caller")
	heard(t, caller, 25, "the caller hears the colleague")
	hangUp(t, caller, consultLeg)
}

// callerOnAnotherNode calls through the front until a caller lands on a
// node other than the agent's, and returns the call, the agent's leg and
// that node, caller and agent hearing each other.
func callerOnAnotherNode(t *testing.T, c *cluster, a *agent, placed *int) (caller, leg *testphone.Call, landed *node) {
	t.Helper()
	for attempt := range 4 {
		caller, err := dial(t, c.front.addr, fmt.Sprintf("1380000200%d", attempt), "95599")
		*placed++
		if err != nil {
			t.Fatalf("call through the front: %v", err)
		}
		landed := c.nodeOf(t, caller)
		leg := waitIncoming(t, a)
		if landed == a.node {
			hangUp(t, caller, leg)
			continue // round robin: the next call lands elsewhere
		}
		hearEachOther(t, caller, leg)
		return caller, leg, landed
	}
	t.Fatal("no call landed on a node other than the agent's")
	return nil, nil, nil
}
