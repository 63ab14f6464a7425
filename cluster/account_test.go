package cluster

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/election"
	"github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testproc"
)

func freeTCPAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startOwnNATS runs nats-server with conf (listening on addr) until the
// test ends; Kill and Start stop and restart it on the same address and
// store.
func startOwnNATS(t *testing.T, addr, conf string) *testproc.NATS {
	t.Helper()
	bin := testproc.NATSBin(t)
	path := filepath.Join(t.TempDir(), "nats.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOTLINE_NODE_PASSWORD=node-pw", "HOTLINE_OBSERVER_PASSWORD=obs-pw", "OTHER_PASSWORD=other-pw"}
	return testproc.StartNATS(t, bin, addr, env, "-c", path)
}

// privateNATS starts a NATS server of the test's own from the shipped
// deploy/nats/nats-server.conf (on a free port, with a temporary store)
// and returns its URL.
func privateNATS(t *testing.T) string {
	t.Helper()
	conf, err := os.ReadFile("../deploy/nats/nats-server.conf")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeTCPAddr(t)
	text := regexp.MustCompile(`(?m)^listen: .*$`).ReplaceAllString(string(conf), "listen: "+addr)
	text = regexp.MustCompile(`(?m)^http: .*$`).ReplaceAllString(text, "")
	text = strings.Replace(text, "store_dir: /var/lib/nats-server", "store_dir: "+filepath.Join(t.TempDir(), "js"), 1)
	startOwnNATS(t, addr, text)
	return "nats://" + addr
}

// leadingNode connects a node with s, creates the cluster's buckets and
// streams, and runs its elector until the node leads; all of it stops
// when the test ends.
func leadingNode(t *testing.T, s Settings) (*Conn, *election.Elector) {
	t.Helper()
	ctx := context.Background()
	c, err := Connect(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	el, err := election.New(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go func() { _ = el.Run(rctx) }()
	waitFor(t, 3*time.Second, "the node to lead", func() bool { _, ok := el.Leading(); return ok })
	return c, el
}

func setNATSUser(t *testing.T, user, pw string) {
	t.Setenv(config.EnvNATSUser, user)
	t.Setenv(config.EnvNATSPassword, pw)
}

// TestShippedNATSAccountIsolatesTheCluster: hotline nodes work inside
// their account, users of another account cannot reach the cluster's
// subjects, the observer cannot publish, and a wrong password is a clear
// startup error that does not print the password.
func TestShippedNATSAccountIsolatesTheCluster(t *testing.T) {
	url := privateNATS(t)
	ctx := context.Background()
	s := Settings{Node: "a", URLs: []string{url}, Prefix: "hotline", LeaseTTL: time.Second, ConnectTimeout: 2 * time.Second, Log: testLog(t)}

	setNATSUser(t, "hotline-node", "node-pw")
	node, _ := leadingNode(t, s)
	var got collector[seqCmd]
	stopCons, err := node.ConsumeCommands(ctx, 0, func(seq uint64, c routing.Command) { got.add(seqCmd{seq, c}) })
	if err != nil {
		t.Fatal(err)
	}
	defer stopCons()
	if _, err := node.SendCommand(ctx, routing.Command{Kind: routing.CmdAbandon, Call: "c1"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "the node's command", func() bool { return len(got.all()) == 1 })
	// A reload's configuration is stored by one node and read by another.
	hash, err := node.PublishACDConfig(ctx, acd.Config{Queues: []acd.QueueConfig{acd.DefaultQueue("q")}})
	if err != nil {
		t.Fatalf("store a reload's configuration: %v", err)
	}
	reader, err := Connect(ctx, Settings{Node: "r", URLs: []string{url}, Prefix: "hotline", ConnectTimeout: 2 * time.Second, Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if err := reader.fetchACDConfig(ctx, hash); err != nil {
		t.Fatalf("read a reload's configuration: %v", err)
	}

	// Another account: same subject name, another world.
	other, err := nats.Connect(url, nats.UserInfo("other", "other-pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	forged := `{"v":1,"id":"f","node":"x","kind":"abandon","call":"forged"}`
	_ = other.Publish("hotline.cmd.x", []byte(forged))
	_ = other.Flush()
	// The observer may read but not publish.
	obs, err := nats.Connect(url, nats.UserInfo("hotline-observer", "obs-pw"), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		t.Fatal(err)
	}
	defer obs.Close()
	_ = obs.Publish("hotline.cmd.x", []byte(forged))
	_ = obs.Flush()
	time.Sleep(300 * time.Millisecond)
	if n := len(got.all()); n != 1 {
		t.Fatalf("a forged command reached the leader: %+v", got.all())
	}

	// A wrong password: a clear error, without the password.
	setNATSUser(t, "hotline-node", "wrong-secret")
	s.Node = "b"
	_, err = Connect(ctx, s)
	if !errors.Is(err, ErrUnreachable) || strings.Contains(err.Error(), "wrong-secret") || !strings.Contains(err.Error(), url) {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestConnectErrorWhenNATSIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	t.Setenv(config.EnvNATSToken, "very-secret-token")
	_, err = Connect(context.Background(), Settings{Node: "a", URLs: []string{"nats://" + addr}, Prefix: "x", ConnectTimeout: 500 * time.Millisecond})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), "very-secret-token") {
		t.Fatalf("error: %v", err)
	}
	t.Logf("startup error: %v", err)
}
