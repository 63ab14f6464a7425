package sip

import (
	"net/netip"
	"testing"

	"github.com/hotline-oss/hotline/sip/guard"
)

// A trunk's addresses, trusted for identity or not, are exempt from the
// per-source limits like a trusted network; other sources are not.
func TestGuardLetsTrunkPeersThrough(t *testing.T) {
	clock := newFakeClock()
	trunk := addr("192.0.2.10")
	g := guard.New(guard.Config{Invite: limit(1, 1), KnownPeer: func(a netip.Addr) bool { return a == trunk }},
		guard.NewSources(0), clock.now)
	for i := range 50 {
		if !g.Check(trunk, guard.ClassInvite, "carrier").Pass {
			t.Fatalf("trunk refused at INVITE %d", i+1)
		}
	}
	stranger := addr("192.0.2.11")
	g.Check(stranger, guard.ClassInvite, "x")
	if g.Check(stranger, guard.ClassInvite, "x").Pass {
		t.Fatal("a stranger past its limit passed")
	}
}
