package clusterq

import (
	"errors"
	"testing"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/queueing"
)

func configHash(n *testNode) (h string) {
	n.q.deps.Leader.View(func(r *routing.Router) { h = r.ConfigHash() })
	return h
}

// TestReloadChangesTheAgentsOfEveryNode: a reload begun on n1 with an
// agent less and a queue more reaches n2's ACD through the stream, and
// n2, following it, takes only its own settings; a configuration the
// ACD refuses changes nothing anywhere; the same agents and queues send
// nothing.
func TestReloadChangesTheAgentsOfEveryNode(t *testing.T) {
	prefix := newTestPrefix(t)
	n1, n2 := startNode(t, prefix, "n1"), startNode(t, prefix, "n2")
	changed := testConfig()
	changed.Agents = changed.Agents[:1]
	changed.Queues = append(changed.Queues, acd.DefaultQueue("sales"))
	changed.Agents[0].Queues = []string{"billing", "sales"}
	if err := n1.q.Reload(changed, map[string]queueing.Settings{"billing": {Music: "other"}, "sales": {}}); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if _, err := n1.q.Agent("2002"); !errors.Is(err, acd.ErrUnknownAgent) {
		t.Fatalf("n1 still has agent 2002 once the reload returned: %v", err)
	}
	waitFor(t, "n2's ACD to drop agent 2002", func() bool {
		_, err := n2.q.Agent("2002")
		return errors.Is(err, acd.ErrUnknownAgent)
	})
	if configHash(n1) != configHash(n2) {
		t.Fatal("the nodes run other configurations")
	}
	if s, _ := n1.q.Setting("billing"); s.Music != "other" {
		t.Errorf("n1's settings after the reload: %+v", s)
	}
	if err := n2.q.FollowReload(map[string]queueing.Settings{"billing": {Music: "n2"}, "sales": {}}); err != nil {
		t.Fatal(err)
	}
	if s, _ := n2.q.Setting("billing"); s.Music != "n2" || !n2.q.HasQueue("sales") {
		t.Errorf("n2's settings after following: %+v", s)
	}

	hash := configHash(n1)
	invalid := changed
	invalid.Agents = []acd.AgentConfig{{ID: "2001", Queues: []string{"nowhere"}}}
	if err := n1.q.Reload(invalid, nil); !errors.Is(err, acd.ErrInvalidConfig) {
		t.Fatalf("reload of an invalid configuration: %v", err)
	}
	if configHash(n1) != hash {
		t.Fatal("a refused reload changed the configuration")
	}
	if s, _ := n1.q.Setting("billing"); s.Music != "other" {
		t.Errorf("a refused reload changed the settings: %+v", s)
	}
	before := n1.q.deps.Leader.Applied()
	if err := n1.q.Reload(changed, map[string]queueing.Settings{"billing": {}}); err != nil {
		t.Fatal(err)
	}
	if n1.q.deps.Leader.Applied() != before {
		t.Error("a reload of the same agents and queues sent a command")
	}
}

// TestConvergeAfterStartLeavesANewerReload: a node that replayed the
// stream up to its start sends its file's agents and queues only while
// no reload came after that point.
func TestConvergeAfterStartLeavesANewerReload(t *testing.T) {
	n1 := startNode(t, newTestPrefix(t), "n1")
	changed := testConfig()
	changed.Agents = changed.Agents[:1]
	if err := n1.q.Reload(changed, map[string]queueing.Settings{"billing": {}}); err != nil {
		t.Fatal(err)
	}
	var last uint64
	n1.q.deps.Leader.View(func(r *routing.Router) { last = r.LastReload() })
	reloaded := configHash(n1)
	if err := n1.q.ConvergeAfter(testConfig(), last-1); err != nil || configHash(n1) != reloaded {
		t.Fatalf("a start before the reload went back to the file: %v", err)
	}
	if err := n1.q.ConvergeAfter(testConfig(), last); err != nil || configHash(n1) == reloaded {
		t.Fatalf("a start after the reload kept the stream's: %v", err)
	}
	if _, err := n1.q.Agent("2002"); err != nil {
		t.Fatalf("the file's agent 2002 after converging: %v", err)
	}
}
