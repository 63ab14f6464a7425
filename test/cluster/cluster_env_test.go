package cluster_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/internal/testproc"
)

// sharedConfig is the body every node's file shares (node_test.go adds the
// node-local keys): a self-service number that plays a prompt and hangs
// up, a number that queues straight into "general", three agents.
const sharedConfig = `shutdown_grace: 1s
languages: [en]
default_language: en
numbers:
  "95598": info
  "95599": queued
database:
  dsn: "@DSN@"
cluster:
  enabled: true
  node_id: @NODE@
  urls: ["@NATS@"]
  prefix: @PREFIX@
  lease_ttl: 1s
  connect_timeout: 5s
agents:
  - {id: "1001", work_number: "1024", name: Li Wei, password: pw1001, queues: [general]}
  - {id: "1002", work_number: "2048", name: Kim Min, password: pw1002, queues: [general]}
  - {id: "1003", work_number: "4096", name: Pak Su, password: pw1003, queues: [general]}
queues:
  general:
    strategy: longest-idle
    ring_timeout: 4s
    wrapup: 0s
    announce_every: 0s
flows:
  info:
    start: bye
    nodes:
      bye: {type: hangup, prompts: [digit_4], self_service: true}
  queued:
    start: wait
    nodes:
      wait: {type: queue, queue: general}
`

// cluster is three nodes, their NATS, their database and the front.
type cluster struct {
	t      *testing.T
	nats   *testproc.NATS
	db     *sharedDatabase
	nodes  []*node
	front  *front
	shared string // the shared part of every node's file, placeholders filled
	prefix string // the cluster's names in NATS
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{t: t, nats: startNATS(t), db: newSharedDatabase(t)}
	var b [4]byte
	_, _ = rand.Read(b[:])
	c.prefix = "hlce2e" + hex.EncodeToString(b[:])
	c.shared = strings.NewReplacer("@DSN@", c.db.dsn, "@NATS@", c.nats.URL(),
		"@PREFIX@", c.prefix).Replace(sharedConfig)
	dir := t.TempDir()
	// One after the other: the first defines the cluster's configuration.
	for i := 1; i <= 3; i++ {
		n := newNode(t, i, dir)
		n.startFirst(c.shared)
		c.nodes = append(c.nodes, n)
	}
	c.front = startFront(t, c.nodes)
	for _, n := range c.nodes {
		c.waitInRotation(t, n)
	}
	c.waitLeader(t)
	return c
}

// waitInRotation waits until the front's probes see n up.
func (c *cluster) waitInRotation(t *testing.T, n *node) {
	t.Helper()
	waitFor(t, 15*time.Second, n.id+" active at the front", func() bool {
		return strings.HasPrefix(c.front.state(n), "A")
	})
}

// waitLeader waits until exactly one live node leads, and returns it.
func (c *cluster) waitLeader(t *testing.T) *node {
	t.Helper()
	var leader *node
	waitFor(t, 15*time.Second, "one leader", func() bool {
		leader = nil
		count := 0
		for _, n := range c.nodes {
			if n.proc != nil && !n.proc.Exited() && n.leads() {
				leader, count = n, count+1
			}
		}
		return count == 1
	})
	return leader
}

// callsOn is how many calls a node took (hotline_calls_total, every result).
func callsOn(n *node) float64 {
	v, _ := n.metric("hotline_calls_total")
	return v
}

// sipp places calls through the front with the cluster caller scenario
// and returns how many succeeded and failed.
func (c *cluster) sipp(t *testing.T, number string, calls, rate int) (ok, failed int) {
	t.Helper()
	bin := need(t, "sipp", "sip-tester")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	scenario, err := filepath.Abs("../sipp/cluster_caller.xml")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, c.front.addr, "-sf", scenario, "-s", number,
		"-i", "127.0.0.1", "-p", fmt.Sprint(freePort(t, "127.0.0.1")),
		"-mp", fmt.Sprint(freePort(t, "127.0.0.1")), "-rtp_echo",
		"-m", fmt.Sprint(calls), "-r", fmt.Sprint(rate), "-l", "20",
		"-timeout", "90s", "-timeout_error", "-nostdin", "-trace_stat", "-stf", filepath.Join(dir, "stat.csv"))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	stat, readErr := os.ReadFile(filepath.Join(dir, "stat.csv"))
	if readErr != nil {
		t.Fatalf("sipp: no statistics (%v): %v\n%s", readErr, err, tail(string(out), 30))
	}
	ok, failed = sippTotals(t, string(stat))
	return ok, failed
}

// sippTotals reads the cumulative successful and failed call counts from
// the last line of SIPp's statistics file.
func sippTotals(t *testing.T, csv string) (ok, failed int) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) < 2 {
		t.Fatalf("sipp statistics: %q", csv)
	}
	head := strings.Split(lines[0], ";")
	last := strings.Split(lines[len(lines)-1], ";")
	col := func(name string) int {
		for i, h := range head {
			if h == name && i < len(last) {
				var v int
				_, _ = fmt.Sscan(last[i], &v)
				return v
			}
		}
		t.Fatalf("sipp statistics: no column %s", name)
		return 0
	}
	return col("SuccessfulCall(C)"), col("FailedCall(C)")
}

// phone is a Go test phone: a caller through the front, or an agent
// registered straight at one node.
func phone(t *testing.T, server, user, password string) *testphone.Phone {
	t.Helper()
	p, err := testphone.New(testphone.Config{Server: server, User: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
