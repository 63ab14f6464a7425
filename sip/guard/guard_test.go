package guard

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock               { return &fakeClock{t: time.Unix(1_800_000_000, 0)} }
func addr(s string) netip.Addr               { return netip.MustParseAddr(s) }
func limit(perSecond float64, burst int) RateLimit {
	return RateLimit{PerSecond: perSecond, Burst: burst}
}

func TestBucketBurstThenLimitedThenRefilled(t *testing.T) {
	clock := newFakeClock()
	var b bucket
	l := limit(2, 5)
	for i := 0; i < 5; i++ {
		if ok, _ := b.take(clock.now(), l); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := b.take(clock.now(), l)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("6th request: ok=%v wait=%v, want refused with 500ms to the next token", ok, wait)
	}
	clock.advance(499 * time.Millisecond)
	if ok, _ := b.take(clock.now(), l); ok {
		t.Fatal("a token appeared before its time")
	}
	clock.advance(2 * time.Millisecond)
	if ok, _ := b.take(clock.now(), l); !ok {
		t.Fatal("no token after 500ms at 2/s")
	}
	// A long pause refills to the burst, not beyond.
	clock.advance(time.Hour)
	for i := 0; i < 5; i++ {
		if ok, _ := b.take(clock.now(), l); !ok {
			t.Fatalf("after a pause, request %d refused", i+1)
		}
	}
	if ok, _ := b.take(clock.now(), l); ok {
		t.Fatal("bucket refilled beyond its burst")
	}
	if ok, _ := b.take(clock.now(), limit(0, 0)); !ok {
		t.Fatal("a zero rate must not limit")
	}
}

func TestGuardLimitsEachMethodSeparately(t *testing.T) {
	clock := newFakeClock()
	g := New(Config{Invite: limit(1, 2), Register: limit(1, 3), Options: limit(1, 1)}, NewSources(0), clock.now)
	src := addr("203.0.113.5")
	counts := map[Class]int{}
	for _, class := range []Class{ClassInvite, ClassRegister, ClassOptions} {
		for i := 0; i < 10; i++ {
			if g.Check(src, class, "").Pass {
				counts[class]++
			}
		}
	}
	if counts[ClassInvite] != 2 || counts[ClassRegister] != 3 || counts[ClassOptions] != 1 {
		t.Fatalf("admitted %v, want INVITE 2, REGISTER 3, OPTIONS 1", counts)
	}
	inv := g.Check(src, ClassInvite, "")
	if inv.Pass || inv.Reason != RejectRateLimited || inv.Action != "" || inv.RetryAfter != time.Second {
		t.Errorf("limited INVITE: %+v, want 503 with Retry-After 1s", inv)
	}
	opt := g.Check(src, ClassOptions, "")
	if opt.Pass || opt.Action != ActionSilence {
		t.Errorf("limited OPTIONS: %+v, want silence", opt)
	}
	if !g.Check(addr("203.0.113.6"), ClassInvite, "").Pass {
		t.Error("another source was limited")
	}
	clock.advance(time.Second)
	if !g.Check(src, ClassInvite, "").Pass {
		t.Error("INVITE bucket did not refill")
	}
}

func TestGuardTrustedSourcesAreNotLimited(t *testing.T) {
	clock := newFakeClock()
	sources := NewSources(0)
	g := New(Config{
		Trusted:       []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")},
		Invite:        limit(1, 1),
		UserAgentDeny: DefaultScannerUserAgents,
	}, sources, clock.now)
	sbc := addr("198.51.100.20")
	sources.ban(sbc, clock.now().Add(time.Hour))
	for i := 0; i < 100; i++ {
		if !g.Check(sbc, ClassInvite, "carrier-sbc").Pass {
			t.Fatalf("trusted source refused at request %d", i+1)
		}
	}
	if v := g.Check(sbc, ClassInvite, "friendly-scanner"); v.Pass || v.Reason != RejectUserAgent {
		t.Errorf("a scanner's User-Agent through a trusted source: %+v", v)
	}
}

func TestGuardUserAgentDenyList(t *testing.T) {
	clock := newFakeClock()
	for _, action := range []Action{ActionSilence, ActionForbidden} {
		g := New(Config{UserAgentDeny: DefaultScannerUserAgents, ScannerAction: action}, NewSources(0), clock.now)
		for _, ua := range []string{"friendly-scanner", "SIPVicious 0.3.4", "sipcli/v1.8", "VaxSIPUserAgent/3.1", "Iwar"} {
			v := g.Check(addr("192.0.2.1"), ClassOptions, ua)
			if v.Pass || v.Reason != RejectUserAgent || v.Action != action {
				t.Errorf("%s with %q: %+v", action, ua, v)
			}
		}
		for _, ua := range []string{"", "Linphone/5.2", "baresip v3.10", "MicroSIP/3.21"} {
			if !g.Check(addr("192.0.2.1"), ClassOptions, ua).Pass {
				t.Errorf("%q refused", ua)
			}
		}
	}
	g := New(Config{}, NewSources(0), clock.now)
	if v := g.Check(addr("192.0.2.1"), ClassOptions, "friendly-scanner"); !v.Pass {
		t.Error("an empty deny list refused a request")
	}
	if g.cfg.ScannerAction != ActionSilence || g.cfg.BanAction != ActionForbidden {
		t.Errorf("defaults: scanner %q ban %q, want silence and 403", g.cfg.ScannerAction, g.cfg.BanAction)
	}
}

func TestGuardLogsOncePerSourcePerMinute(t *testing.T) {
	clock := newFakeClock()
	g := New(Config{UserAgentDeny: []string{"sipvicious"}}, NewSources(0), clock.now)
	logged := 0
	for i := 0; i < 1000; i++ {
		if g.Check(addr("192.0.2.7"), ClassInvite, "sipvicious").LogIt {
			logged++
		}
	}
	clock.advance(time.Minute)
	if g.Check(addr("192.0.2.7"), ClassInvite, "sipvicious").LogIt {
		logged++
	}
	if logged != 2 {
		t.Errorf("%d log lines for 1001 refusals over a minute, want 2", logged)
	}
}

func TestGuardRefusesBannedSource(t *testing.T) {
	clock := newFakeClock()
	sources := NewSources(0)
	for _, action := range []Action{ActionForbidden, ActionSilence} {
		g := New(Config{BanAction: action}, sources, clock.now)
		src := addr("203.0.113.9")
		sources.ban(src, clock.now().Add(15*time.Minute))
		for _, class := range []Class{ClassInvite, ClassRegister, ClassOptions} {
			if v := g.Check(src, class, ""); v.Pass || v.Reason != RejectBanned || v.Action != action {
				t.Errorf("banned %v with %s: %+v", class, action, v)
			}
		}
		clock.advance(15 * time.Minute)
		if !g.Check(src, ClassInvite, "").Pass {
			t.Errorf("ban did not expire (%s)", action)
		}
	}
}

func TestSourceTableIsBounded(t *testing.T) {
	clock := newFakeClock()
	table := NewSources(1000)
	g := New(Config{Invite: limit(1, 1)}, table, clock.now)
	victim := addr("10.0.0.1")
	g.Check(victim, ClassInvite, "")
	for i := 0; i < 5000; i++ {
		clock.advance(time.Microsecond)
		g.Check(netip.AddrFrom4([4]byte{100, 64, byte(i >> 8), byte(i)}), ClassInvite, "")
		if i%100 == 0 {
			// A source that keeps sending is never the oldest idle one.
			g.Check(victim, ClassInvite, "")
		}
	}
	if _, kept := table.sources[victim]; !kept {
		t.Error("an active source was evicted")
	}
	if n, _ := table.size(); n != 1000 {
		t.Fatalf("table holds %d sources, want the bound 1000", n)
	}
	if table.evicted != 4001 {
		t.Errorf("evicted %d, want 4001", table.evicted)
	}
	// Bans are bounded apart and survive the flood of new sources.
	table.ban(victim, clock.now().Add(time.Hour))
	for i := 0; i < 3000; i++ {
		g.Check(netip.AddrFrom4([4]byte{100, 65, byte(i >> 8), byte(i)}), ClassInvite, "")
	}
	if !table.banned(victim, clock.now()) {
		t.Error("a flood of new sources lifted a ban")
	}
	for i := 0; i < 1500; i++ {
		table.ban(netip.AddrFrom4([4]byte{100, 66, byte(i >> 8), byte(i)}), clock.now().Add(time.Hour))
	}
	if _, bans := table.size(); bans != 1000 {
		t.Errorf("%d bans held, want the bound 1000", bans)
	}
}

func BenchmarkGuardCheck(b *testing.B) {
	clock := newFakeClock()
	g := New(Config{Invite: limit(5, 20), UserAgentDeny: DefaultScannerUserAgents}, NewSources(0), clock.now)
	srcs := make([]netip.Addr, 4096)
	for i := range srcs {
		srcs[i] = netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Check(srcs[i%len(srcs)], ClassInvite, "Linphone/5.2")
	}
}

func TestOverloadCallRateLimit(t *testing.T) {
	clock := newFakeClock()
	o := NewOverload(OverloadConfig{MaxCallsPerSecond: 10}, clock.now)
	admitted := 0
	for i := 0; i < 50; i++ {
		if o.Admit() == "" {
			admitted++
		}
	}
	if admitted != 10 {
		t.Fatalf("%d calls admitted in one instant at 10/s, want 10", admitted)
	}
	if got := o.Admit(); got != BlockedCallRate {
		t.Errorf("refusal reason %q, want %q", got, BlockedCallRate)
	}
	clock.advance(100 * time.Millisecond)
	if o.Admit() != "" || o.Admit() == "" {
		t.Error("after 100 ms at 10/s exactly one more call is admitted")
	}
	if o.cfg.RetryAfter != DefaultRetryAfter {
		t.Errorf("default Retry-After %v", o.cfg.RetryAfter)
	}
}

func TestOverloadCPULimit(t *testing.T) {
	clock := newFakeClock()
	cpu := 50.0
	o := NewOverload(OverloadConfig{MaxCPUPercent: 80, MaxCallsPerSecond: 1, CPUPercent: func() float64 { return cpu }}, clock.now)
	if got := o.Admit(); got != "" {
		t.Fatalf("at 50%% CPU: %q", got)
	}
	cpu = 95
	clock.advance(time.Second)
	if got := o.Admit(); got != BlockedCPU {
		t.Fatalf("at 95%% CPU: %q, want %q", got, BlockedCPU)
	}
	cpu = 10
	if got := o.Admit(); got != "" {
		t.Errorf("a CPU refusal spent the call-rate token: %q", got)
	}
}

func TestCPUSamplerAveragesTheLastSecond(t *testing.T) {
	clock := newFakeClock()
	var used time.Duration
	s := NewCPUSampler(func() (time.Duration, error) { return used, nil }, 2)
	if err := s.Sample(clock.now()); err != nil {
		t.Fatal(err)
	}
	// Half a core for four intervals: 25% of a two-core machine.
	for i := 0; i < 4; i++ {
		clock.advance(250 * time.Millisecond)
		used += 125 * time.Millisecond
		_ = s.Sample(clock.now())
	}
	if p := s.Percent(); p < 24.9 || p > 25.1 {
		t.Fatalf("percent %v, want 25", p)
	}
	// Both cores busy for the next second push the old samples out.
	for i := 0; i < 4; i++ {
		clock.advance(250 * time.Millisecond)
		used += 500 * time.Millisecond
		_ = s.Sample(clock.now())
	}
	if p := s.Percent(); p < 99.9 || p > 100.1 {
		t.Fatalf("percent %v, want 100", p)
	}
	failing := NewCPUSampler(func() (time.Duration, error) { return 0, fmt.Errorf("no rusage") }, 1)
	if err := failing.Sample(clock.now()); err == nil {
		t.Error("a read error was swallowed")
	}
}

func TestProcessCPUTimeGrows(t *testing.T) {
	first, err := ProcessCPUTime()
	if err != nil {
		t.Skipf("process CPU time unavailable: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	x := 0
	for time.Now().Before(deadline) {
		for i := 0; i < 1_000_000; i++ {
			x += i
		}
		if now, _ := ProcessCPUTime(); now > first {
			return
		}
	}
	t.Errorf("CPU time did not grow from %v while spinning (%d)", first, x)
}

func TestRejectReasonsOfResponsesAndBlocks(t *testing.T) {
	for code, want := range map[int]string{400: RejectMalformed, 404: RejectNotOurs, 405: RejectMethod, 501: RejectMethod, 503: "", 403: "", 401: "", 200: "", 481: ""} {
		if got := RejectReasonForStatus(code); got != want {
			t.Errorf("status %d: %q, want %q", code, got, want)
		}
	}
	for blocked, want := range map[string]string{BlockedChannelLimit: RejectOverload, BlockedCallRate: RejectOverload, BlockedCPU: RejectOverload, BlockedDraining: RejectDraining} {
		if got := BlockedRejectReason(blocked); got != want {
			t.Errorf("blocked %s: %q, want %q", blocked, got, want)
		}
	}
	if got := RetryAfterHeader(1500 * time.Millisecond).Value(); got != "2" {
		t.Errorf("Retry-After for 1.5 s: %q, want 2 (rounded up)", got)
	}
	if got := RetryAfterHeader(0).Value(); got != "1" {
		t.Errorf("Retry-After for 0: %q, want 1", got)
	}
}
