package cluster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/cluster/routing"
)

// TestNATSOutageNodesRefuseThenRecover kills the NATS server (one of the
// test's own, with its JetStream store on disk) for three seconds: the
// node reports itself down at once, stops leading, refuses to send
// commands; when the server is back it reconnects by itself, leads again
// under a new term, and commands flow to the leader again.
func TestNATSOutageNodesRefuseThenRecover(t *testing.T) {
	addr := freeTCPAddr(t)
	srv := startOwnNATS(t, addr, fmt.Sprintf("listen: %s\njetstream { store_dir: %q }\n", addr, filepath.Join(t.TempDir(), "js")))
	ctx := context.Background()
	s := Settings{Node: "a", URLs: []string{"nats://" + addr}, Prefix: "hotline", LeaseTTL: time.Second, ConnectTimeout: 2 * time.Second, Log: testLog(t)}
	c, el := leadingNode(t, s)
	term1, _ := el.Leading()
	var got collector[seqCmd]
	stopCons, err := c.ConsumeCommands(ctx, 0, func(seq uint64, cmd routing.Command) { got.add(seqCmd{seq, cmd}) })
	if err != nil {
		t.Fatal(err)
	}
	defer stopCons()
	if _, err := c.SendCommand(ctx, routing.Command{Kind: routing.CmdAbandon, Call: "before"}); err != nil {
		t.Fatal(err)
	}

	srv.Kill()
	waitFor(t, time.Second, "the node to see NATS gone", func() bool { return !c.Up() })
	if _, ok := el.Leading(); ok {
		t.Fatal("still leading without NATS")
	}
	if _, err := c.SendCommand(ctx, routing.Command{Kind: routing.CmdAbandon, Call: "during"}); !errors.Is(err, ErrDown) {
		t.Fatalf("a command was accepted without NATS: %v", err)
	}
	time.Sleep(3 * time.Second)
	srv.Start()

	waitFor(t, 10*time.Second, "the node to reconnect", c.Up)
	waitFor(t, 10*time.Second, "the node to lead again", func() bool { _, ok := el.Leading(); return ok })
	if term2, _ := el.Leading(); term2 <= term1 {
		t.Fatalf("led again under term %d, not above %d", term2, term1)
	}
	if _, err := c.SendCommand(ctx, routing.Command{Kind: routing.CmdAbandon, Call: "after"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the commands before and after the outage", func() bool {
		calls := map[string]bool{}
		for _, g := range got.all() {
			calls[g.cmd.Call] = true
		}
		return calls["before"] && calls["after"] && !calls["during"]
	})
}
