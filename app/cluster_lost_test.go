package app

import (
	"os"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store/cdr"
)

// clusterDSNEnv names the environment variable the nodes of
// TestClusterKilledNodesTalkingCallIsRecordedOnceAsLost read their
// database from: the same configuration on every node (the cluster
// refuses a node whose file differs), a different database per node.
const clusterDSNEnv = "HOTLINE_TEST_CLUSTER_NODE_DSN"

// TestClusterKilledNodesTalkingCallIsRecordedOnceAsLost: a caller of B
// talks to an agent of A when B dies. B writes its records to a database
// of its own, which stands for a node killed with kill -9 (it writes
// nothing more anywhere): the shared database of A gets the call's one
// record from the leader A, answered by the agent, ended by the server
// for node_lost, and only one however long the leader goes on.
func TestClusterKilledNodesTalkingCallIsRecordedOnceAsLost(t *testing.T) {
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		missingTool(t, mysqlDSNEnv+" is not set (the shared database of the cluster test)")
	}
	c := newAppCluster(t, sharedNATS)
	shared, elsewhere := newOutageDatabase(t, base), newOutageDatabase(t, base)
	fromEnv := func(cfg *config.Config) { cfg.Database.DSNEnv = clusterDSNEnv }
	t.Setenv(clusterDSNEnv, shared.dsn)
	a := c.nodeWith("a", "127.0.0.11", fromEnv)
	waitFor(t, "node a to lead", 5*time.Second, a.leading)
	t.Setenv(clusterDSNEnv, elsewhere.dsn)
	b := c.nodeWith("b", "127.0.0.12", fromEnv)

	_, caller, leg, id := servedAcrossNodes(t, a, b)
	hearEachOther(t, caller, leg, "1001")
	time.Sleep(1500 * time.Millisecond) // the leader's sweep has seen B heartbeat
	b.kill()

	waitFor(t, "the lost call's record in the shared database", 20*time.Second, func() bool {
		total, _ := shared.countCalls(t)
		return total > 0
	})
	a.flushStore()
	time.Sleep(3 * time.Second) // three more sweeps of the leader: nothing more
	a.flushStore()
	if total, distinct := shared.countCalls(t); total != 1 || distinct != 1 {
		t.Fatalf("calls table: %d rows, %d distinct; want the lost call once", total, distinct)
	}
	r, err := a.srv.Store().Call(ctxT(t, 10*time.Second), id)
	if err != nil {
		t.Fatalf("record read through A: %v", err)
	}
	if r.CallID != id || r.EndReason != cdr.ReasonNodeLost || r.Result != call.ResultAnsweredByAgent || r.Agent != "1001" ||
		r.Queue != "general" || r.HangupBy != call.HangupByServer || r.AgentAnswered.IsZero() || r.Ended.Before(r.AgentAnswered) ||
		r.Caller == "" || len(r.Visits) != 1 || r.Visits[0].Outcome != cdr.OutcomeAnswered {
		t.Errorf("record %+v: want the talking call, answered by 1001, ended for node_lost", r.CallRecord)
	}
}

// TestClusterCallbackOfANodeGoneIsDialledByALiveNode: B takes a callback
// request and dies; the leader A takes the saved callback over. B comes
// back meanwhile and restores its saved callbacks: the ACD refuses the
// one A holds, which stays saved. An agent logs in through A, which rings the agent and
// dials the customer, once.
func TestClusterCallbackOfANodeGoneIsDialledByALiveNode(t *testing.T) {
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		missingTool(t, mysqlDSNEnv+" is not set (the shared database of the cluster test)")
	}
	gw := gatewayPhone(t, testphone.AutoAnswer)
	setup := callbackSetup("sip:{number}@"+gw.Addr(), 3)
	c := newAppCluster(t, sharedNATS)
	c.dsn = newOutageDatabase(t, base).dsn
	a := c.nodeWith("a", "127.0.0.11", setup)
	waitFor(t, "node a to lead", 5*time.Second, a.leading)
	b := c.nodeWith("b", "127.0.0.12", setup)

	_, id := b.requestCallback("1")
	b.waitCallbackRequest(id)
	cbID := id + "-cb"
	b.flushStore() // the callback is saved in the shared database
	waitFor(t, "node A to count the callback pending", 5*time.Second, func() bool {
		return a.srv.acd.CallbacksPending()["general"] == 1
	})
	time.Sleep(1500 * time.Millisecond) // the leader's sweep has seen B heartbeat
	b.kill()
	a.events.wait(t, cbID, "the callback taken over by A", func(e call.Event) bool { return e.Kind == call.QueueRequested })
	if got := a.srv.acd.CallbacksPending()["general"]; got != 1 {
		t.Fatalf("pending on A after the take-over: %d, want 1", got)
	}

	b2 := c.nodeWith("b", "127.0.0.12", setup)
	waitFor(t, "node B back to count the callback pending", 10*time.Second, func() bool {
		return b2.srv.acd.CallbacksPending()["general"] == 1
	})
	saved, err := b2.srv.Store().PendingCallbacks(ctxT(t, 5*time.Second))
	if err != nil || len(saved) != 1 || saved[0].CallbackID != cbID {
		t.Fatalf("saved callbacks after B restored them: %+v, %v; want A's still saved", saved, err)
	}
	agent := a.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	cust := waitIncoming(t, gw)
	a.events.wait(t, cbID, "customer answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	<-cust.Done()
	if end := a.events.waitEnd(t, cbID); end.Result != call.ResultAnsweredByAgent {
		t.Fatalf("callback ended %s/%s, want answered", end.Result, end.Reason)
	}
	select {
	case again := <-gw.Incoming():
		t.Fatalf("the customer was dialled again (call %s)", again.CallID())
	case <-time.After(3 * time.Second):
	}
	if n := len(a.events.all(cbID, call.AgentAnswered)); n != 1 {
		t.Errorf("callback answered %d times on A, want 1", n)
	}
	if n := len(b2.events.all(cbID, call.AgentAnswered)); n != 0 {
		t.Errorf("callback answered %d times on the restarted B, want 0", n)
	}
	waitFor(t, "no callback pending on either node", 5*time.Second, func() bool {
		return a.srv.acd.CallbacksPending()["general"] == 0 && b2.srv.acd.CallbacksPending()["general"] == 0
	})
}

// TestClusterAdherenceOfAnAgentOfAnotherNode: an agent logs in and pauses
// through B; A's live adherence follows the agent, as B's does.
func TestClusterAdherenceOfAnAgentOfAnotherNode(t *testing.T) {
	c := newAppCluster(t, sharedNATS)
	a := c.node("a", "127.0.0.11")
	b := c.node("b", "127.0.0.12")
	agent := b.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	liveState := func(h *harness, id string) (string, string) {
		for _, l := range h.srv.workforce.Live() {
			if l.Agent == id {
				return l.State, l.Reason
			}
		}
		return "", ""
	}
	waitFor(t, "A's adherence to see 1001 available", 5*time.Second, func() bool {
		st, _ := liveState(a, "1001")
		return st == "available"
	})
	b.feature(agent, "*23") // a break
	b.events.wait(t, "", "1001 paused", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "paused"
	})
	waitFor(t, "A's adherence to see 1001 paused", 5*time.Second, func() bool {
		st, _ := liveState(a, "1001")
		return st == "paused"
	})
	stA, reasonA := liveState(a, "1001")
	stB, reasonB := liveState(b, "1001")
	if stA != stB || reasonA != reasonB {
		t.Errorf("1001 on A: %s (%s), on B: %s (%s)", stA, reasonA, stB, reasonB)
	}
	if got := a.events.all("", call.AgentStateChanged); len(got) != 0 {
		t.Errorf("A announced B's agent's changes on its bus: %+v", got)
	}
}
