package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/cluster"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// The machine's NATS server with JetStream (see .ci/run).
const sharedNATS = "nats://127.0.0.1:4222"

// appCluster is one test's cluster of in-process servers sharing a NATS
// under a prefix of the test's own.
type appCluster struct {
	t      *testing.T
	url    string
	prefix string
	dsn    string // the shared database, when the test has one
}

// newAppCluster gives the test a fresh prefix on the NATS at url and
// removes its buckets and stream when the test ends (after every node).
func newAppCluster(t *testing.T, url string) *appCluster {
	t.Helper()
	needTCP(t, "NATS with JetStream", url[len("nats://"):])
	var b [5]byte
	_, _ = rand.Read(b[:])
	c := &appCluster{t: t, url: url, prefix: "app" + hex.EncodeToString(b[:])}
	t.Cleanup(func() {
		conn, err := cluster.Connect(context.Background(), cluster.Settings{Node: "cleanup", URLs: []string{c.url}, Prefix: c.prefix})
		if err != nil {
			return // the test's own NATS is gone with its store
		}
		defer conn.Close()
		_ = conn.Remove(context.Background())
	})
	return c
}

// needTCP skips when nothing listens at addr, except under CI, where
// every test must run.
func needTCP(t *testing.T, what, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not running on %s (CI runs every test): %v", what, addr, err)
		}
		t.Skipf("%s is not running on %s: %v", what, addr, err)
	}
	c.Close()
}

// node starts one hotline node on its own loopback address (SIP and RTP).
func (c *appCluster) node(id, ip string) *harness {
	c.t.Helper()
	return c.nodeWith(id, ip, nil)
}

// nodeWith is node with the test's own edit of the configuration, the
// same on every node.
func (c *appCluster) nodeWith(id, ip string, edit func(*config.Config)) *harness {
	c.t.Helper()
	return start(c.t, acdTestConfig, func(cfg *config.Config) {
		if edit != nil {
			edit(cfg)
		}
		cfg.Cluster.Enabled = true
		cfg.Cluster.NodeID = id
		cfg.Cluster.URLs = []string{c.url}
		cfg.Cluster.Prefix = c.prefix
		cfg.Cluster.LeaseTTL = time.Second
		cfg.Cluster.ConnectTimeout = 2 * time.Second
		cfg.SIP.Listen = ip + ":0"
		cfg.RTP.Address = ip
		if c.dsn != "" {
			cfg.Database.DSN = c.dsn
		}
	})
}

// leading reports whether the node holds the lease now.
func (h *harness) leading() bool {
	return h.srv.cluster.Leading()
}

// kill stops a node as a crash would: its NATS link drops without a
// word (the lease and its entry are left to expire), then everything
// closes; its calls end.
func (h *harness) kill() {
	h.killed = true
	h.srv.cluster.Conn().NC.Close()
	h.srv.Close()
}

// servedAcrossNodes logs agent 1001 in through agentNode and, once
// callerNode sees it, has a caller of callerNode queue and 1001 answer.
func servedAcrossNodes(t *testing.T, agentNode, callerNode *harness) (agent *testphone.Phone, caller, leg *testphone.Call, id string) {
	t.Helper()
	agent = agentNode.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	node := callerNode.srv.cfg.Cluster.NodeID
	waitFor(t, "node "+node+" to see agent 1001 logged in", 5*time.Second, func() bool { return callerNode.srv.acd.LoggedIn("1001") })
	caller, id = callerNode.dialAndPress("0")
	leg = waitIncoming(t, agent)
	callerNode.events.wait(t, id, "1001 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	return agent, caller, leg, id
}

// TestClusterCallerOnOneNodeServedByAgentOfAnother: the agent's phone
// registers and logs in through node B; a caller reaches node A, which
// rings the phone from the shared registrations and bridges locally:
// they hear each other, the hold goes through A, and the agent's
// wrap-up ends on the cluster's ACD.
func TestClusterCallerOnOneNodeServedByAgentOfAnother(t *testing.T) {
	c := newAppCluster(t, sharedNATS)
	a := c.node("a", "127.0.0.11")
	b := c.node("b", "127.0.0.12")
	_, caller, leg, id := servedAcrossNodes(t, b, a)
	if got := b.events.count(id, call.AgentAnswered); got != 0 {
		t.Errorf("node B announced %d answers of A's call: every event must be announced once, by the caller's node", got)
	}
	if info, err := b.srv.acd.Agent("1001"); err != nil || info.State.String() != "talking" {
		t.Errorf("node B sees agent 1001 %v (%v), want talking", info.State, err)
	}
	hearEachOther(t, caller, leg, "1001")

	if err := leg.Hold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	a.events.wait(t, id, "held", func(e call.Event) bool { return e.Kind == call.Held })
	if err := leg.Unhold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("unhold: %v", err)
	}
	agentHangsUp(t, a, caller, leg, id)
	b.events.wait(t, "", "wrap-up over", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.PrevState == "wrapup" && e.State == "available"
	})
}

// TestClusterLeaderKilledWhileCallersWaitAllServedInOrder: three nodes;
// three callers wait on the two followers with no agent logged in; the
// leader dies without a word. Another node takes the lease, the queue
// is the same on every node, and when an agent logs in through a third
// node the callers are served in the order they came.
func TestClusterLeaderKilledWhileCallersWaitAllServedInOrder(t *testing.T) {
	c := newAppCluster(t, sharedNATS)
	a := c.node("a", "127.0.0.11")
	waitFor(t, "node a to lead", 5*time.Second, a.leading)
	b := c.node("b", "127.0.0.12")
	n3 := c.node("c", "127.0.0.13")

	type waiting struct {
		node   *harness
		caller *testphone.Call
		id     string
	}
	var callers []waiting
	for _, h := range []*harness{b, n3, b} {
		caller, id := h.dialAndPress("0")
		h.events.wait(t, id, "queued", func(e call.Event) bool { return e.Kind == call.Queued })
		callers = append(callers, waiting{h, caller, id})
	}
	a.kill()
	waitFor(t, "a new leader", 5*time.Second, func() bool { return b.leading() || n3.leading() })
	for _, h := range []*harness{b, n3} {
		if w := waitingIn(h, "general"); w != 3 {
			t.Fatalf("a node shows %d callers waiting after the takeover, want 3", w)
		}
	}

	agent := n3.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	for i, w := range callers {
		leg := waitIncoming(t, agent)
		w.node.events.wait(t, w.id, fmt.Sprintf("caller %d answered", i+1), func(e call.Event) bool {
			return e.Kind == call.AgentAnswered && e.Agent == "1001"
		})
		if i == 0 {
			hearEachOther(t, w.caller, leg, "1001")
		}
		agentHangsUp(t, w.node, w.caller, leg, w.id)
	}
}

// waitingIn is the number of callers a node shows waiting in queue.
func waitingIn(h *harness, queue string) int {
	for _, q := range h.srv.acd.Snapshot() {
		if q.Name == queue {
			return q.Waiting
		}
	}
	return -1
}

// TestClusterBlindTransferBetweenAgentsOfOtherNodes: the caller is on A;
// the agent of B who answers transfers the call to another queue, where
// the agent of C takes it, rung from A again.
func TestClusterBlindTransferBetweenAgentsOfOtherNodes(t *testing.T) {
	c := newAppCluster(t, sharedNATS)
	a := c.node("a", "127.0.0.11")
	b := c.node("b", "127.0.0.12")
	n3 := c.node("c", "127.0.0.13")
	first := b.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	second := n3.agentPhone("1002", "pw1002", testphone.NoAnswer)
	waitFor(t, "node A to see both agents", 5*time.Second, func() bool { return a.srv.acd.LoggedIn("1001") && a.srv.acd.LoggedIn("1002") })

	caller, id := a.dialAndPress("0")
	leg := waitIncoming(t, first)
	a.events.wait(t, id, "1001 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	second.SetAnswerMode(testphone.AutoAnswer)
	if code, err := leg.Refer(ctxT(t, 5*time.Second), "billing"); err != nil || code != 202 {
		t.Fatalf("REFER: %d %v", code, err)
	}
	a.events.wait(t, id, "transferred", func(e call.Event) bool {
		return e.Kind == call.Transferred && e.TransferKind == "blind" && e.Target == "queue:billing"
	})
	if final, err := leg.WaitReferFinal(ctxT(t, 5*time.Second)); err != nil || final != 200 {
		t.Errorf("transfer NOTIFY: %d %v", final, err)
	}
	leg2 := waitIncoming(t, second)
	a.events.wait(t, id, "1002 answered in billing", func(e call.Event) bool {
		return e.Kind == call.AgentAnswered && e.Agent == "1002" && e.Queue == "billing"
	})
	caller.SendTone(500)
	leg2.SendTone(1300)
	heard(t, leg2, 25, "1002 hears the caller")
	heard(t, caller, 25, "the caller hears the bridge")
	_ = caller.Hangup(ctxT(t, 5*time.Second))
	if end := a.events.waitEnd(t, id); end.Result != call.ResultAnsweredByAgent {
		t.Errorf("result %s", end.Result)
	}
}

// TestClusterKilledNodeRestartedRejoins: a follower dies with a caller
// waiting; restarted at once under the same id, it rejoins: the caller
// whose media died with it is out of the queue on every node, and the
// node serves new callers with an agent of another node.
func TestClusterKilledNodeRestartedRejoins(t *testing.T) {
	c := newAppCluster(t, sharedNATS)
	a := c.node("a", "127.0.0.11")
	waitFor(t, "node a to lead", 5*time.Second, a.leading)
	b := c.node("b", "127.0.0.12")
	_, ghost := b.dialAndPress("0")
	b.events.wait(t, ghost, "queued", func(e call.Event) bool { return e.Kind == call.Queued })
	waitFor(t, "node a to see the caller", 5*time.Second, func() bool { return waitingIn(a, "general") == 1 })
	b.kill()

	b2 := c.node("b", "127.0.0.12")
	waitFor(t, "the dead node's caller out of the queue", 10*time.Second, func() bool {
		return waitingIn(a, "general") == 0 && waitingIn(b2, "general") == 0
	})
	agent := a.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id := b2.dialAndPress("0")
	leg := waitIncoming(t, agent)
	b2.events.wait(t, id, "answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	hearEachOther(t, caller, leg, "1001")
	agentHangsUp(t, b2, caller, leg, id)
}

// TestClusterRecordsTheCallOnceInTheSharedDatabase: two nodes write to
// one MariaDB; a call on A answered by B's agent is one complete record,
// written by A, and B holds no piece of it.
func TestClusterRecordsTheCallOnceInTheSharedDatabase(t *testing.T) {
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		missingTool(t, mysqlDSNEnv+" is not set (the shared database of the cluster test)")
	}
	c := newAppCluster(t, sharedNATS)
	db := newOutageDatabase(t, base)
	c.dsn = db.dsn
	a := c.node("a", "127.0.0.11")
	b := c.node("b", "127.0.0.12")
	agent := b.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	waitFor(t, "node A to see agent 1001", 5*time.Second, func() bool { return a.srv.acd.LoggedIn("1001") })
	caller, id := a.dialAndPress("0")
	leg := waitIncoming(t, agent)
	hearEachOther(t, caller, leg, "1001")
	agentHangsUp(t, a, caller, leg, id)
	a.waitIdle()
	drainStore(t, a.srv.Store())
	drainStore(t, b.srv.Store()) // also: B folds no piece of A's call
	if total, distinct := db.countCalls(t); total != 1 || distinct != 1 {
		t.Fatalf("calls table: %d rows, %d distinct; want the one call once", total, distinct)
	}
	recs, err := allCalls(t, b.srv.Store())
	if err != nil || len(recs) != 1 {
		t.Fatalf("records read through B: %d, %v", len(recs), err)
	}
	r := recs[0]
	if r.CallID != id || r.Agent != "1001" || r.Queue != "general" || r.Result != call.ResultAnsweredByAgent ||
		r.Arrived.IsZero() || r.AgentAnswered.IsZero() || r.Ended.IsZero() || r.Caller == "" {
		t.Errorf("record %+v: want the whole call, answered by 1001 in general", r)
	}
}

// TestClusterConsultRingsAColleagueOfAnotherNode: the agent of B, talking
// to a caller of A, holds and calls a colleague whose phone registered
// through C: B redirects the consult call to A (the caller's node, where
// an attended transfer can bridge), A rings the colleague from the shared
// registrations, the colleague is busy on the consult on every node, and
// they hear each other.
func TestClusterConsultRingsAColleagueOfAnotherNode(t *testing.T) {
	c := newAppCluster(t, sharedNATS)
	a := c.node("a", "127.0.0.11")
	b := c.node("b", "127.0.0.12")
	n3 := c.node("c", "127.0.0.13")
	first, caller, leg, id := servedAcrossNodes(t, b, a)
	colleague := n3.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	waitFor(t, "node B to see 1002", 5*time.Second, func() bool { return b.srv.acd.LoggedIn("1002") })

	if err := leg.Hold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	consult, err := first.Call(ctxT(t, 10*time.Second), "1002")
	if err != nil {
		t.Fatalf("consult call to 1002: %v", err)
	}
	consultB := waitIncoming(t, colleague)
	a.events.wait(t, consult.CallID(), "consult started on the caller's node", func(e call.Event) bool {
		return e.Kind == call.ConsultStarted && e.Agent == "1001" && e.Target == "1002"
	})
	n3.events.wait(t, "", "1002 busy on the consult", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1002" && e.State == "talking" && e.Reason == "consult"
	})
	waitFor(t, "node A to see 1002 talking", 5*time.Second, func() bool {
		info, err := a.srv.acd.Agent("1002")
		return err == nil && info.State.String() == "talking"
	})
	consultHearEachOther(t, consult, consultB)
	if err := consult.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	n3.events.wait(t, "", "1002 free again", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1002" && e.PrevState == "talking" && e.State == "available"
	})
	if err := leg.Unhold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("unhold: %v", err)
	}
	agentHangsUp(t, a, caller, leg, id)
}

// TestClusterCallbackOfOneNodeServedByAgentOfAnother: a caller of A asks
// for a callback and hangs up; an agent logs in through B; A, which holds
// the callback, rings the agent, then dials the customer through the
// gateway; they hear each other and A records both calls.
func TestClusterCallbackOfOneNodeServedByAgentOfAnother(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	setup := callbackSetup("sip:{number}@"+gw.Addr(), 3)
	c := newAppCluster(t, sharedNATS)
	a := c.nodeWith("a", "127.0.0.11", setup)
	b := c.nodeWith("b", "127.0.0.12", setup)

	_, id := a.requestCallback("1")
	if end := a.events.waitEnd(t, id); end.Result != call.ResultCallback {
		t.Fatalf("inbound call ended %s/%s, want callback", end.Result, end.Reason)
	}
	waitFor(t, "node B to count the callback pending", 5*time.Second, func() bool {
		return b.srv.acd.CallbacksPending()["general"] == 1
	})
	cbID := id + "-cb"
	agent := b.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	cust := waitIncoming(t, gw)
	a.events.wait(t, cbID, "customer answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	agentAndCustomerHearEachOther(t, leg, cust)
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	cbEnd := a.events.waitEnd(t, cbID)
	if cbEnd.Result != call.ResultAnsweredByAgent || cbEnd.HangupBy != call.HangupByAgent {
		t.Fatalf("callback ended %s by %s", cbEnd.Result, cbEnd.HangupBy)
	}
	a.wantAnsweredCallback(id, cbID)
}
