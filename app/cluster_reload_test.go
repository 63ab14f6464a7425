package app

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	clusterrouting "github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/web"
)

// reloadedACDFile is testdata/acd.yaml after an edit of its agents and
// queues: agent 1003 added to general, billing removed (its menu entry
// now queues to general), general's service level changed.
func reloadedACDFile(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(acdTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, e := range [][2]string{
		{"queues: [general, billing]}\nqueues:", "queues: [general, billing]}\n" +
			`  - {id: "1003", name: Wang Fang, work_number: "4096", password: pw1003, queues: [general]}` + "\nqueues:"},
		{"queues: [general, billing]", "queues: [general]"},
		{"    auto_pause_after: 2\n", "    auto_pause_after: 2\n    service_level_seconds: 45\n"},
		{"  billing:\n    strategy: ring-all\n    ring_timeout: 3s\n    wrapup: 0s\n    announce_every: 0s\n    announce_agent: false\n", ""},
		{"billing: {type: queue, queue: billing}", "billing: {type: queue, queue: general}"},
	} {
		if !strings.Contains(s, e[0]) {
			t.Fatalf("%s no longer holds %q", acdTestConfig, e[0])
		}
		s = strings.ReplaceAll(s, e[0], e[1])
	}
	return s
}

// reloadFrom makes h read text as its configuration file from now on,
// with the node's own keys (addresses, data, cluster) as it runs them.
func reloadFrom(h *harness, text string) {
	running := h.srv.cfg
	h.srv.SetConfigSource(func() (*config.Config, error) {
		cfg, err := config.Parse(acdTestConfig, []byte(text))
		if err != nil {
			return nil, err
		}
		cfg.DataDir, cfg.SIP.Listen, cfg.HTTP.Listen, cfg.RTP.Address = running.DataDir, running.SIP.Listen, running.HTTP.Listen, running.RTP.Address
		cfg.Cluster, cfg.Database = running.Cluster, running.Database
		return cfg, nil
	})
}

// routerView is what a node's router runs: its configuration's hash and
// its queues (not the agents' personal ones).
func routerView(h *harness) (hash string, queues []acd.QueueStats) {
	var all []acd.QueueStats
	h.srv.cluster.Leader().View(func(r *clusterrouting.Router) { hash, all = r.ConfigHash(), r.Queues() })
	for _, q := range all {
		if !queueing.IsPersonalQueue(q.Name) {
			queues = append(queues, q)
		}
	}
	return hash, queues
}

func commandsStored(t *testing.T, h *harness) uint64 {
	t.Helper()
	n := h.srv.cluster.Conn()
	st, err := n.JS.Stream(context.Background(), n.Names.CommandStream())
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.LastSeq
}

// TestClusterReloadChangesAgentsAndQueuesOnEveryNode: three nodes; the
// new file is copied to A and B, not to C. A reload of a file that does
// not validate is refused with its file and line before anything goes
// into the stream. Reloading A then changes the agents and queues of
// every node's ACD, C's included (which shows that its own file
// differs): billing is gone and general changed everywhere, and agent
// 1003, who is in no file of the start, logs in through B and takes a
// caller of A.
func TestClusterReloadChangesAgentsAndQueuesOnEveryNode(t *testing.T) {
	c := newAppCluster(t, sharedNATS)
	a := c.node("a", "127.0.0.11")
	b := c.node("b", "127.0.0.12")
	cn := c.node("c", "127.0.0.13")
	before, _ := routerView(a)
	stored := commandsStored(t, a)

	reloadFrom(a, strings.Replace(reloadedACDFile(t), "queues: [general]}", "queues: [nowhere]}", 1))
	_, err := a.srv.ReloadConfig()
	var rej *web.ConfigRejected
	if !errors.As(err, &rej) || !strings.Contains(strings.Join(rej.Problems, "; "), acdTestConfig+":") {
		t.Fatalf("reload of a file that does not validate: %v, want a refusal naming the file and line", err)
	}
	if h, _ := routerView(a); h != before || commandsStored(t, a) != stored {
		t.Fatal("a refused reload went into the stream")
	}

	next := reloadedACDFile(t)
	reloadFrom(a, next)
	reloadFrom(b, next)
	res, err := a.srv.ReloadConfig()
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if !strings.Contains(strings.Join(res.Changed, " "), "agents") {
		t.Errorf("changed %v, want the agents among them", res.Changed)
	}
	want, _ := routerView(a)
	for _, n := range []*harness{a, b, cn} {
		waitFor(t, "every node's ACD to run the new agents and queues", 5*time.Second, func() bool {
			h, qs := routerView(n)
			return h == want && len(qs) == 1 && qs[0].Name == "general" && qs[0].ServiceLevel == 45*time.Second
		})
		if _, err := n.srv.acd.Agent("1003"); err != nil {
			t.Errorf("agent 1003 on a node: %v", err)
		}
	}
	waitFor(t, "C to show that its file differs", 5*time.Second, func() bool {
		return cn.metric("hotline_cluster_config_differs") == 1 && b.metric("hotline_cluster_config_differs") == 0
	})
	if a.metric("hotline_cluster_config_differs") != 0 {
		t.Error("the reloading node shows a difference")
	}

	agent := b.agentPhone("1003", "pw1003", testphone.AutoAnswer)
	waitFor(t, "node A to see agent 1003 logged in", 5*time.Second, func() bool { return a.srv.acd.LoggedIn("1003") })
	caller, id := a.dialAndPress("2") // billing's entry now queues to general
	leg := waitIncoming(t, agent)
	a.events.wait(t, id, "1003 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1003" })
	hearEachOther(t, caller, leg, "1003")
	agentHangsUp(t, a, caller, leg, id)
}

// TestClusterRestartedWithAnotherFileRunsIt: the stream's last reload
// came from a file the cluster no longer runs (every node was stopped
// and started again with another one): once the starting node has
// replayed the stream, it sends its own file's agents and queues, so the
// ACD does not go back to the reload's.
func TestClusterRestartedWithAnotherFileRunsIt(t *testing.T) {
	c := newAppCluster(t, sharedNATS)
	a := c.node("a", "127.0.0.11")
	reloadFrom(a, reloadedACDFile(t))
	if _, err := a.srv.ReloadConfig(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if _, err := a.srv.acd.Agent("1003"); err != nil {
		t.Fatalf("agent 1003 after the reload: %v", err)
	}
	a.srv.Close()
	a.killed = true // closed already

	again := c.node("a", "127.0.0.11") // testdata/acd.yaml as it is
	want, _, err := clusterrouting.EncodeConfig(again.srv.compiled.acd)
	if err != nil {
		t.Fatal(err)
	}
	n := again.srv.cluster
	waitFor(t, "the restarted node to replay the stream", 10*time.Second, func() bool { return n.Leader().Applied() >= n.StartSeq() })
	waitFor(t, "the restarted node's ACD to run its own file", 10*time.Second, func() bool {
		h, qs := routerView(again)
		return h == want && len(qs) == 2
	})
	if _, err := again.srv.acd.Agent("1003"); !errors.Is(err, acd.ErrUnknownAgent) {
		t.Fatalf("agent 1003 after the restart with the old file: %v", err)
	}
}
