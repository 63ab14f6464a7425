package trunk

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testproc"
	"github.com/hotline-oss/hotline/sip"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func testSet(t *testing.T, reg prometheus.Registerer, resolve func(context.Context, string) ([]netip.Addr, error), cfgs ...config.Trunk) *Set {
	t.Helper()
	s, err := New(cfgs, Options{Logger: quiet, Registerer: reg, Resolve: resolve, Backoff: Backoff{Min: 20 * time.Millisecond, Max: 40 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestSetFindsTrunksBySourceAndRewritesNumbers(t *testing.T) {
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("192.0.2.9"), netip.MustParseAddr("192.0.2.8")}, nil
	}
	s := testSet(t, nil, resolve,
		config.Trunk{Name: "a", Addresses: []string{"192.0.2.1", "192.0.2.2:5080"}, Trusted: true, CountryCode: "86",
			InboundCalling: config.NumberRule{Format: "national"}, Outbound: config.NumberRule{Format: "e164"}},
		config.Trunk{Name: "b", Host: "sbc.example", Port: 5070},
	)
	tr, ok := s.TrunkFor(netip.MustParseAddr("192.0.2.2"))
	if !ok || !tr.TrustedIdentity() || tr.CallingNumber("+862112345678") != "02112345678" {
		t.Fatalf("trunk a by its second address: %v %v", tr, ok)
	}
	if tr, ok := s.TrunkFor(netip.MustParseAddr("192.0.2.8")); !ok || tr.TrustedIdentity() {
		t.Fatal("trunk b by a resolved address")
	}
	if _, ok := s.TrunkFor(netip.MustParseAddr("192.0.2.3")); ok || s.KnownPeer(netip.MustParseAddr("192.0.2.3")) {
		t.Fatal("a stranger is no trunk")
	}
	b, _ := s.Get("b")
	if p, _ := b.primary(); p.String() != "192.0.2.8:5070" {
		t.Fatalf("primary of b %s, want the lowest resolved address", p)
	}
	routes := s.Routes([]string{"b", "a", "missing"}, "95598")("13800000001")
	if len(routes) != 2 || routes[0].Trunk != "b" || routes[1].Number != "+8613800000001" || routes[1].FromNumber != "95598" ||
		routes[1].Dest.String() != "192.0.2.1:5060" {
		t.Fatalf("routes %+v", routes)
	}
}

// fakeEndpoint answers pings as told and counts REGISTERs.
type fakeEndpoint struct {
	mu        sync.Mutex
	answer    map[netip.AddrPort]bool
	registers []sip.TrunkRegistration
	refuse    bool
}

func (f *fakeEndpoint) Ping(ctx context.Context, dest netip.AddrPort, _ string) (int, error) {
	f.mu.Lock()
	ok := f.answer[dest]
	f.mu.Unlock()
	if ok {
		return 200, nil
	}
	<-ctx.Done()
	return 0, ctx.Err()
}

func (f *fakeEndpoint) RegisterTrunk(_ context.Context, r sip.TrunkRegistration) (time.Duration, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.registers = append(f.registers, r)
	if f.refuse && r.Expires > 0 {
		return 0, 403, errors.New("403 Forbidden")
	}
	return r.Expires, 200, nil
}

func (f *fakeEndpoint) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.registers)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPingsMarkATrunkDownAndRoutesSkipIt(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := testSet(t, reg, nil,
		config.Trunk{Name: "a", Addresses: []string{"192.0.2.1"}, OptionsInterval: time.Second, DownAfter: 2},
		config.Trunk{Name: "b", Addresses: []string{"192.0.2.2"}, OptionsInterval: time.Second, DownAfter: 2},
	)
	ep := &fakeEndpoint{answer: map[netip.AddrPort]bool{netip.MustParseAddrPort("192.0.2.2:5060"): true}}
	if v := testutil.ToFloat64(s.upGauge.WithLabelValues("a")); v != 1 {
		t.Fatalf("a trunk starts up, got %v", v)
	}
	s.Start(ep)
	a, _ := s.Get("a")
	waitUntil(t, "trunk a down", func() bool { return !a.Up() })
	if v := testutil.ToFloat64(s.upGauge.WithLabelValues("a")); v != 0 {
		t.Fatalf("hotline_trunk_up{a} %v", v)
	}
	if r := s.Routes([]string{"a", "b"}, "1")("13800000001"); len(r) != 1 || r[0].Trunk != "b" {
		t.Fatalf("routes %+v, want only b", r)
	}
	ep.mu.Lock()
	ep.answer[netip.MustParseAddrPort("192.0.2.1:5060")] = true
	ep.mu.Unlock()
	waitUntil(t, "trunk a up again", a.Up)
}

func TestRegistrationRefusedBacksOffAndGrantedIsWithdrawn(t *testing.T) {
	t.Setenv("HOTLINE_TRUNK_TEST_PW", "pw")
	tr := config.Trunk{Name: "p", Addresses: []string{"192.0.2.1"}, OptionsInterval: time.Hour,
		Auth:     &config.TrunkAuth{Username: "u", PasswordEnv: "HOTLINE_TRUNK_TEST_PW"},
		Register: &config.TrunkRegister{Expires: time.Hour}}
	var logs testproc.Output
	s, err := New([]config.Trunk{tr}, Options{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), Registerer: prometheus.NewRegistry(),
		Backoff: Backoff{Min: 20 * time.Millisecond, Max: 40 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ep := &fakeEndpoint{answer: map[netip.AddrPort]bool{}, refuse: true}
	s.Start(ep)
	waitUntil(t, "three attempts", func() bool { return ep.count() >= 3 })
	p, _ := s.Get("p")
	if p.Registered() || testutil.ToFloat64(s.regGauge.WithLabelValues("p")) != 0 {
		t.Fatal("refused registration reported registered")
	}
	out := logs.String()
	if !strings.Contains(out, `msg="trunk registration failed" part=trunks trunk=p status=403`) || !strings.Contains(out, "retry_in=") {
		t.Fatalf("the refusal is not logged with the provider's status and the wait:\n%s", out)
	}
	if strings.Contains(out, "pw") {
		t.Fatalf("the password reached the log:\n%s", out)
	}
	ep.mu.Lock()
	first := ep.registers[0]
	ep.refuse = false
	ep.mu.Unlock()
	if p.ContactUser() != "u" {
		t.Fatalf("contact user %q", p.ContactUser())
	}
	ep.mu.Lock()
	second := ep.registers[1]
	ep.mu.Unlock()
	if first.CallID == "" || second.CallID != first.CallID || second.CSeq <= first.CSeq {
		t.Fatalf("registrations %q/%d then %q/%d: want one Call-ID and a growing CSeq", first.CallID, first.CSeq, second.CallID, second.CSeq)
	}
	if first.AOR != "sip:u@192.0.2.1" || first.Username != "u" || first.Password != "pw" || first.Expires != time.Hour {
		t.Fatalf("registration %+v", first)
	}
	waitUntil(t, "registered", p.Registered)
	if testutil.ToFloat64(s.regGauge.WithLabelValues("p")) != 1 {
		t.Fatal("hotline_trunk_registered not 1")
	}
	n := ep.count()
	s.Close()
	ep.mu.Lock()
	last := ep.registers[len(ep.registers)-1]
	ep.mu.Unlock()
	if ep.count() != n+1 || last.Expires != 0 {
		t.Fatalf("close sent %+v, want one un-REGISTER", last)
	}
}

// A host is looked up again now and then: new addresses replace the old
// ones in the source index; a failed lookup keeps the last ones.
func TestResolveKeepsLastAddressesOnFailure(t *testing.T) {
	var mu sync.Mutex
	answer, fail := "192.0.2.7", false
	resolve := func(context.Context, string) ([]netip.Addr, error) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return nil, errors.New("SERVFAIL")
		}
		return []netip.Addr{netip.MustParseAddr(answer)}, nil
	}
	s := testSet(t, nil, resolve, config.Trunk{Name: "h", Host: "sbc.example"})
	h, _ := s.Get("h")
	if !s.KnownPeer(netip.MustParseAddr("192.0.2.7")) {
		t.Fatal("resolved at start")
	}
	mu.Lock()
	answer = "192.0.2.8"
	mu.Unlock()
	s.resolve(h)
	s.reindex()
	if s.KnownPeer(netip.MustParseAddr("192.0.2.7")) || !s.KnownPeer(netip.MustParseAddr("192.0.2.8")) {
		t.Fatal("the new address must replace the old one")
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	s.resolve(h)
	s.reindex()
	if p, ok := h.primary(); !ok || p.String() != "192.0.2.8:5060" {
		t.Fatalf("after a failed lookup primary %v %v, want the last address", p, ok)
	}

	never := testSet(t, nil, func(context.Context, string) ([]netip.Addr, error) { return nil, errors.New("NXDOMAIN") },
		config.Trunk{Name: "n", Host: "gone.example", OptionsInterval: time.Second, DownAfter: 1})
	n, _ := never.Get("n")
	if _, ok := n.primary(); ok || len(never.Routes([]string{"n"}, "1")("13800000001")) != 0 {
		t.Fatal("a host never resolved has no route")
	}
	never.Start(&fakeEndpoint{})
	waitUntil(t, "unresolved trunk down", func() bool { return !n.Up() })
}
