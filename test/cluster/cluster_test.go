package cluster_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// The scenarios run in order on one cluster; each leaves it whole (three
// live nodes) for the next. placed counts every call that reached a node,
// to compare with the records at the end.
func TestClusterBehindTheFront(t *testing.T) {
	c := startCluster(t)
	placed := 0
	for _, sc := range []struct {
		name string
		run  func(*testing.T, *cluster, *int)
	}{
		{"calls spread over the nodes", spreadCalls},
		{"a caller on one node is served by an agent registered through another", crossNodeAnswer},
		{"an attended transfer across nodes through the front", attendedAcrossNodes},
		{"a follower killed: new calls go to the others, it rejoins when restarted", followerKilled},
		{"the leader killed while callers wait: every one served in order", leaderKilled},
		{"NATS stopped for 10 s: nodes refuse calls with 503, then recover by themselves", natsOutage},
		{"a reload on one node applies to every node whose file changed", clusterReload},
		{"the records in MySQL are the calls placed, each once", recordsAreTheCalls},
		{"every node shows the cluster's rolling figures", clusterFigures},
	} {
		if !t.Run(sc.name, func(t *testing.T) { sc.run(t, c, &placed) }) {
			break // the next scenarios need the cluster whole
		}
	}
}

// spreadCalls places 12 SIPp calls through the front: each node takes
// some.
func spreadCalls(t *testing.T, c *cluster, placed *int) {
	ok, failed := c.sipp(t, "95598", 12, 6)
	*placed += ok + failed
	if ok != 12 || failed != 0 {
		t.Fatalf("sipp: %d calls succeeded, %d failed, want 12 and 0", ok, failed)
	}
	for _, n := range c.nodes {
		if got := callsOn(n); got < 3 {
			t.Errorf("%s took %v calls of 12, want at least 3", n.id, got)
		}
	}
}

// crossNodeAnswer has a caller who landed on one node served by an agent
// whose phone registered through another, with audio both ways; the
// agent's leg, and so the media, stay on the caller's node.
func crossNodeAnswer(t *testing.T, c *cluster, placed *int) {
	home := c.nodes[1]
	a := c.loginAgent(t, "1002", home)
	c.waitAgents(t, "available", 1)
	defer a.feature(t, featureLogout)
	for attempt := range 4 {
		caller, err := dial(t, c.front.addr, fmt.Sprintf("1380000100%d", attempt), "95599")
		*placed++
		if err != nil {
			t.Fatalf("call through the front: %v", err)
		}
		landed := c.nodeOf(t, caller)
		leg := waitIncoming(t, a)
		if landed == home {
			hangUp(t, caller, leg)
			continue // round robin: the next call lands elsewhere
		}
		if got := c.nodeOf(t, leg); got != landed {
			t.Errorf("the agent's leg comes from %s, the caller's node is %s: media must stay there", got.id, landed.id)
		}
		hearEachOther(t, caller, leg)
		hangUp(t, caller, leg)
		return
	}
	t.Fatal("no call landed on a node other than the agent's")
}

// followerKilled kills a follower with SIGKILL: the front takes it out
// within its probe interval and new calls go to the others; restarted, it
// rejoins and takes calls again.
func followerKilled(t *testing.T, c *cluster, placed *int) {
	leader := c.waitLeader(t)
	victim := c.nodes[0]
	if victim == leader {
		victim = c.nodes[2]
	}
	victim.kill()
	killed := time.Now()
	waitFor(t, probeInterval+nodeTimeout+2*time.Second, victim.id+" out of rotation", func() bool {
		return !hasPrefix(c.front.state(victim), "A")
	})
	t.Logf("%s out of the front's rotation %s after kill -9", victim.id, time.Since(killed).Round(10*time.Millisecond))
	ok, failed := c.sipp(t, "95598", 6, 6)
	*placed += ok + failed
	if ok != 6 || failed != 0 {
		t.Fatalf("with %s dead: %d calls succeeded, %d failed", victim.id, ok, failed)
	}
	victim.start()
	c.waitInRotation(t, victim)
	ok, failed = c.sipp(t, "95598", 6, 6)
	*placed += ok + failed
	if ok != 6 || failed != 0 {
		t.Fatalf("after the restart: %d calls succeeded, %d failed", ok, failed)
	}
	if got := callsOn(victim); got < 1 {
		t.Errorf("%s restarted but took no call", victim.id)
	}
}

// leaderKilled kills the leader while four callers wait on the two
// followers: another node leads, the queue is the same, and an agent who
// logs in serves every caller in the order they came.
func leaderKilled(t *testing.T, c *cluster, placed *int) {
	leader := c.waitLeader(t)
	var followers []*node
	for _, n := range c.nodes {
		if n != leader {
			followers = append(followers, n)
		}
	}
	// No agent is logged in: callers wait.
	var order []string
	callers := map[string]*callerOn{}
	for i := range 4 {
		number := fmt.Sprintf("1380000200%d", i)
		n := followers[i%2]
		call, err := dial(t, n.sipAddr(), number, "95599")
		*placed++
		if err != nil {
			t.Fatalf("caller %s at %s: %v", number, n.id, err)
		}
		order = append(order, number)
		callers[number] = &callerOn{call: call, node: n}
		waitFor(t, 5*time.Second, "caller "+number+" queued", func() bool { return waiting(followers[0]) == float64(i+1) })
	}
	leader.kill()
	killed := time.Now()
	next := c.waitLeader(t)
	t.Logf("%s leads %s after %s was killed", next.id, time.Since(killed).Round(10*time.Millisecond), leader.id)
	for _, n := range followers {
		if got := waiting(n); got != 4 {
			t.Errorf("%s sees %v callers waiting after the takeover, want 4", n.id, got)
		}
	}
	a := c.loginAgent(t, "1001", followers[0])
	for i, want := range order {
		leg := waitIncoming(t, a)
		if leg.RemoteUser() != want {
			t.Errorf("served %s, want %s next (the order they joined)", leg.RemoteUser(), want)
		}
		caller := callers[leg.RemoteUser()]
		if caller == nil {
			t.Fatalf("the agent got a call from %q", leg.RemoteUser())
		}
		if i == 0 {
			hearEachOther(t, caller.call, leg)
		}
		hangUp(t, caller.call, leg)
	}
	a.feature(t, featureLogout)
	leader.start()
	c.waitInRotation(t, leader)
}

// recordsAreTheCalls: the calls table holds every call that reached a
// node, each once.
func recordsAreTheCalls(t *testing.T, c *cluster, placed *int) {
	want := *placed
	var rows, distinct int
	waitFor(t, 20*time.Second, fmt.Sprintf("%d call records", want), func() bool {
		rows, distinct = c.db.calls(t, "")
		return rows >= want
	})
	time.Sleep(2 * time.Second) // nothing more arrives late
	if rows, distinct = c.db.calls(t, ""); rows != want || distinct != want {
		t.Errorf("%d call records (%d distinct) for %d calls placed", rows, distinct, want)
	}
}

// clusterFigures: every node shows the cluster's rolling figures, folded
// from the records of every node.
func clusterFigures(t *testing.T, c *cluster, _ *int) {
	asa := c.db.answeredWait(t, "general")
	if asa <= 0 {
		t.Fatalf("no answered call in the records (ASA %v)", asa)
	}
	waitFor(t, 15*time.Second, fmt.Sprintf("ASA today %.3f s on every node", asa), func() bool {
		for _, n := range c.nodes {
			v, ok := n.metric("hotline_asa_seconds", "queue", "general", "window", "today")
			if !ok || math.Abs(v-asa) > 1e-6 {
				return false
			}
		}
		return true
	})
}

// natsOutage stops the cluster's NATS server for ten seconds: every node
// refuses new calls with 503 and answers the front's probes with 503, so
// the front takes every node out and answers 503 itself; once NATS is
// back the nodes take calls again by themselves. A call the front refuses
// reaches no node and leaves no record: only the calls sent straight to
// the nodes count as placed.
func natsOutage(t *testing.T, c *cluster, placed *int) {
	c.nats.Kill()
	stopped := time.Now()
	waitFor(t, 5*time.Second, "every node not ready without NATS", func() bool {
		for _, n := range c.nodes {
			if n.httpStatus("/readyz") == 200 {
				return false
			}
		}
		return true
	})
	for i, n := range c.nodes {
		_, err := dial(t, n.sipAddr(), fmt.Sprintf("1380000300%d", i), "95598")
		*placed++
		if code := refusedWith(err); code != 503 {
			t.Fatalf("a call straight to %s without NATS: %v, want 503", n.id, err)
		}
	}
	waitFor(t, 5*time.Second, "the front taking every node out", func() bool {
		for _, n := range c.nodes {
			if hasPrefix(c.front.state(n), "A") {
				return false
			}
		}
		return true
	})
	refused := 0
	for i := 0; time.Since(stopped) < 9*time.Second; i++ {
		_, err := dial(t, c.front.addr, fmt.Sprintf("1380000310%d", i), "95598")
		if code := refusedWith(err); code != 503 {
			t.Fatalf("a call through the front without NATS: %v, want 503", err)
		}
		refused++
		time.Sleep(300 * time.Millisecond)
	}
	for time.Since(stopped) < 10*time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	c.nats.Start()
	back := time.Now()
	waitFor(t, 20*time.Second, "every node ready again", func() bool {
		for _, n := range c.nodes {
			if n.httpStatus("/readyz") != 200 {
				return false
			}
		}
		return true
	})
	for _, n := range c.nodes {
		c.waitInRotation(t, n)
	}
	t.Logf("the front refused %d calls with 503 during the outage; nodes ready %s after NATS came back",
		refused, time.Since(back).Round(10*time.Millisecond))
	c.waitLeader(t)
	ok, failed := c.sipp(t, "95598", 6, 6)
	*placed += ok + failed
	if ok != 6 || failed != 0 {
		t.Fatalf("after the outage: %d calls succeeded, %d failed", ok, failed)
	}
}

// clusterReload adds a number to the file of two nodes and reloads one of
// them only: both take the number, and the third node, whose file was
// not updated, keeps its configuration and says it differs. Once its
// file is updated too and it is reloaded, every node agrees.
func clusterReload(t *testing.T, c *cluster, placed *int) {
	n1, n2, n3 := c.nodes[0], c.nodes[1], c.nodes[2]
	for _, n := range c.nodes {
		if _, err := dial(t, n.sipAddr(), "13800004000", "95597"); refusedWith(err) != 404 {
			t.Fatalf("95597 at %s before the reload: %v, want 404", n.id, err)
		}
	}
	updated := strings.Replace(c.shared, "  \"95599\": queued\n", "  \"95599\": queued\n  \"95597\": info\n", 1)
	if updated == c.shared {
		t.Fatal("the test's configuration has no 95599 line to add a number after")
	}
	n1.writeConfig(updated)
	n2.writeConfig(updated)
	n1.hangUp()
	answered := func(n *node) bool {
		call, err := dial(t, n.sipAddr(), "13800004001", "95597")
		if err != nil {
			return false
		}
		*placed++
		<-call.Done()
		return true
	}
	for _, n := range []*node{n1, n2} {
		waitFor(t, 10*time.Second, "95597 answered at "+n.id, func() bool { return answered(n) })
	}
	waitFor(t, 5*time.Second, n3.id+" saying its configuration differs", func() bool {
		v, _ := n3.metric("hotline_cluster_config_differs")
		return v == 1
	})
	if _, err := dial(t, n3.sipAddr(), "13800004002", "95597"); refusedWith(err) != 404 {
		t.Errorf("95597 at %s, whose file was not updated: %v, want 404", n3.id, err)
	}
	n3.writeConfig(updated)
	n3.hangUp()
	waitFor(t, 10*time.Second, "95597 answered at "+n3.id, func() bool { return answered(n3) })
	waitFor(t, 5*time.Second, "every node running the same configuration", func() bool {
		for _, n := range c.nodes {
			if v, ok := n.metric("hotline_cluster_config_differs"); !ok || v != 0 {
				return false
			}
		}
		return true
	})
	c.shared = updated
}
