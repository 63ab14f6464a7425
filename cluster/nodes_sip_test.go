package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/config"
)

// TestNodePublishesItsSIPAddress: a node's SIP address is known to the
// others once published, kept by the heartbeat and by a republished
// configuration, and gone with the node.
func TestNodePublishesItsSIPAddress(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	sections := sectionsOf(t, parseConfig(t, string(config.Demo())))
	a, err := tc.connect("a", natsURL).Join(ctx, sections)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Leave(ctx)
	b, err := tc.connect("b", natsURL).Join(ctx, sections)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Leave(ctx)
	if _, err := b.SIPAddress(ctx, "a"); !errors.Is(err, ErrNoSIPAddress) {
		t.Fatalf("address of a node that published none: %v", err)
	}
	if err := a.PublishSIP(ctx, "10.0.0.1:5060"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.SIPAddress(ctx, "a"); err != nil || got != "10.0.0.1:5060" {
		t.Fatalf("address of a: %q %v", got, err)
	}
	if err := a.Republish(ctx, sections); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1200 * time.Millisecond) // a heartbeat
	if got, err := b.SIPAddress(ctx, "a"); err != nil || got != "10.0.0.1:5060" {
		t.Fatalf("address of a after a reload and a heartbeat: %q %v", got, err)
	}
	a.Leave(ctx)
	if _, err := b.SIPAddress(ctx, "a"); !errors.Is(err, ErrNoSIPAddress) {
		t.Fatalf("address of a node that left: %v", err)
	}
}
