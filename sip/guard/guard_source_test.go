package guard

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestIPv6RotationThroughA64IsBanned: an attacker who changes address
// inside its /64 for every guess is one source.
func TestIPv6RotationThroughA64IsBanned(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	a := newTestAuth(clock)
	chal := a.Challenge(registerRequest("1001"), false)
	bad := answer(t, chal, "MD5", "1001", "guess")
	rotate := func(i int) netip.Addr { return netip.MustParseAddr(fmt.Sprintf("2001:db8:1:2::%x", i+1)) }
	for i := 0; i < 10; i++ {
		if r, _ := checkAnswer(a, rotate(i), bad); r != AuthChallenge {
			t.Fatalf("guess %d: %v", i+1, r)
		}
	}
	good := answer(t, chal, "SHA-256", "1001", "s3cret")
	if r, _ := checkAnswer(a, rotate(99), good); r != AuthBanned {
		t.Errorf("a new address in the same /64 after 10 failures: %v, want banned", r)
	}
	if r, _ := checkAnswer(a, netip.MustParseAddr("2001:db8:1:3::1"), good); r != AuthOK {
		t.Errorf("the neighbouring /64: %v, want accepted", r)
	}
	if b := a.Banned(); len(b) != 1 || b[0] != netip.MustParseAddr("2001:db8:1:2::") {
		t.Errorf("banned %v, want the /64 2001:db8:1:2::", b)
	}
}

func TestIPv6PrefixLengthIsConfigurable(t *testing.T) {
	for _, tc := range []struct {
		bits      int
		sameAsOne string // shares a source with 2001:db8:1:2::1 …
		apart     string // … and does not
	}{
		{64, "2001:db8:1:2:ffff::9", "2001:db8:1:3::1"},
		{56, "2001:db8:1:ff::1", "2001:db8:1:100::1"},
		{128, "2001:db8:1:2::1", "2001:db8:1:2::2"},
	} {
		clock := newFakeClock()
		table := NewSources(1000)
		table.ipv6Bits = tc.bits
		g := New(Config{Invite: limit(1, 1)}, table, clock.now)
		if !g.Check(addr("2001:db8:1:2::1"), ClassInvite, "").Pass {
			t.Fatalf("/%d: first INVITE refused", tc.bits)
		}
		if g.Check(addr(tc.sameAsOne), ClassInvite, "").Pass {
			t.Errorf("/%d: %s has a bucket of its own", tc.bits, tc.sameAsOne)
		}
		if !g.Check(addr(tc.apart), ClassInvite, "").Pass {
			t.Errorf("/%d: %s shares the bucket", tc.bits, tc.apart)
		}
		if !g.Check(addr("192.0.2.1"), ClassInvite, "").Pass || g.Check(addr("192.0.2.1"), ClassInvite, "").Pass ||
			!g.Check(addr("192.0.2.2"), ClassInvite, "").Pass {
			t.Errorf("/%d: IPv4 sources must stay one per address", tc.bits)
		}
	}
}

// TestFailuresSurviveAFloodOfNewSources: flooding the table with new
// sources must not wipe an attacker's failure count.
func TestFailuresSurviveAFloodOfNewSources(t *testing.T) {
	clock := newFakeClock()
	table := NewSources(1000)
	g := New(Config{Invite: limit(1, 1)}, table, clock.now)
	attacker := addr("198.51.100.50")
	for i := 0; i < 9; i++ {
		table.fail(attacker, clock.now(), 10*time.Minute)
	}
	for i := 0; i < 5000; i++ {
		clock.advance(time.Microsecond)
		g.Check(netip.AddrFrom4([4]byte{100, 64, byte(i >> 8), byte(i)}), ClassInvite, "")
	}
	if n, _ := table.size(); n != 1000 {
		t.Fatalf("table holds %d sources, want the bound 1000", n)
	}
	if got := table.fail(attacker, clock.now(), 10*time.Minute); got != 10 {
		t.Errorf("failures after the flood: %d, want 10 (9 kept + this one)", got)
	}
	// A ban clears the count and makes the source clean again: it may be
	// evicted like any other, while its ban is kept apart.
	table.ban(attacker, clock.now().Add(time.Hour))
	for i := 0; i < 2000; i++ {
		g.Check(netip.AddrFrom4([4]byte{100, 65, byte(i >> 8), byte(i)}), ClassInvite, "")
	}
	if _, kept := table.sources[attacker]; kept || !table.banned(attacker, clock.now()) {
		t.Errorf("after a ban and a flood: kept %v banned %v, want evicted and still banned", kept, table.banned(attacker, clock.now()))
	}
}

// TestFailingSourcesAreEvictedLast: when only failing sources are left,
// the table still takes new ones (it stays bounded).
func TestFailingSourcesAreEvictedLast(t *testing.T) {
	clock := newFakeClock()
	table := NewSources(1000)
	for i := 0; i < 1500; i++ {
		table.fail(netip.AddrFrom4([4]byte{100, 70, byte(i >> 8), byte(i)}), clock.now(), time.Minute)
	}
	if n, _ := table.size(); n != 1000 || table.evicted != 500 {
		t.Errorf("%d sources, %d evicted, want 1000 and 500", n, table.evicted)
	}
	if _, kept := table.sources[netip.AddrFrom4([4]byte{100, 70, 0, 0})]; kept {
		t.Error("the oldest failing source was kept over newer ones")
	}
}
