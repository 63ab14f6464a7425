package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// TestEachAgentStateChangeReachesANodeOnce: agent 2001 acts through a,
// 2002 through b. On a, 2001's changes come as a's own events (a
// announces them) and 2002's through ObserveOtherAgents, never both, at
// the same ACD time as b's own events show them.
func TestEachAgentStateChangeReachesANodeOnce(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	cfg := acd.Config{Queues: []acd.QueueConfig{acd.DefaultQueue("billing")}, Agents: []acd.AgentConfig{
		{ID: "2001", Queues: []string{"billing"}}, {ID: "2002", Queues: []string{"billing"}},
	}}
	a := tc.startRouting("a", cfg)
	b := tc.startRouting("b", cfg)
	var ownA, otherA, ownB collector[call.Event]
	if err := a.leader.Observe(ctx, nil, ownA.add); err != nil {
		t.Fatal(err)
	}
	a.leader.ObserveOtherAgents(otherA.add)
	if err := b.leader.Observe(ctx, nil, ownB.add); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		conn  *Conn
		agent string
	}{{a.conn, "2001"}, {b.conn, "2002"}} {
		for _, action := range []string{"login", "pause"} {
			if _, err := c.conn.SendCommand(ctx, routing.Command{Kind: routing.CmdAgent, Agent: c.agent, Action: action, Reason: "coffee"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	states := func(c *collector[call.Event], agent string) []call.Event {
		var out []call.Event
		for _, e := range c.all() {
			if e.Kind == call.AgentStateChanged && e.Agent == agent {
				out = append(out, e)
			}
		}
		return out
	}
	waitFor(t, 5*time.Second, "2002's two changes on a", func() bool { return len(states(&otherA, "2002")) == 2 })
	waitFor(t, 5*time.Second, "2001's two changes on a", func() bool { return len(states(&ownA, "2001")) == 2 })
	if got := states(&otherA, "2001"); len(got) != 0 {
		t.Errorf("a's own agent also came as another node's: %+v", got)
	}
	if got := states(&ownA, "2002"); len(got) != 0 {
		t.Errorf("b's agent announced by a: %+v", got)
	}
	for _, e := range otherA.all() {
		if e.Kind != call.AgentStateChanged {
			t.Errorf("not an agent state change: %+v", e)
		}
	}
	waitFor(t, 5*time.Second, "2002's two changes on b", func() bool { return len(states(&ownB, "2002")) == 2 })
	onA, onB := states(&otherA, "2002"), states(&ownB, "2002")
	for i := range onA {
		if onA[i].State != onB[i].State || !onA[i].Time.Equal(onB[i].Time) || onA[i].Reason != onB[i].Reason {
			t.Errorf("change %d: on a %+v, on b %+v", i, onA[i], onB[i])
		}
	}
	if last := onA[1]; last.State != "paused" || last.Reason != "coffee" {
		t.Errorf("2002's last change on a: %+v", last)
	}
}
