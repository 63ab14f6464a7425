package trunk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/callout"
)

// Endpoint is the SIP side the trunks ping and register through
// (*sip.Endpoint).
type Endpoint interface {
	Ping(ctx context.Context, dest netip.AddrPort, transport string) (int, error)
	RegisterTrunk(ctx context.Context, r sip.TrunkRegistration) (time.Duration, int, error)
}

// Options tune a Set; the zero value is the production setting.
type Options struct {
	Logger *slog.Logger
	// Registerer gets hotline_trunk_up and hotline_trunk_registered; nil:
	// no metrics.
	Registerer prometheus.Registerer
	// Resolve looks a trunk's host up (default: the system resolver).
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// Backoff between failed registrations (default DefaultBackoff).
	Backoff Backoff
}

// Trunk is one configured trunk at run time.
type Trunk struct {
	cfg       config.Trunk // defaults applied
	numbering Numbering
	called    Rule
	calling   Rule
	outbound  Rule
	password  string

	addrs atomic.Pointer[[]netip.AddrPort] // resolved; the first is the primary
	up    atomic.Bool
	reg   atomic.Bool

	mu     sync.Mutex
	health *Health
}

// Name is the trunk's configured name.
func (t *Trunk) Name() string { return t.cfg.Name }

// TrustedIdentity reports whether the trunk's caller identity is believed.
func (t *Trunk) TrustedIdentity() bool { return t.cfg.Trusted }

// CalledNumber rewrites a called number the trunk sent.
func (t *Trunk) CalledNumber(n string) string { return t.numbering.Apply(t.called, n) }

// CallingNumber rewrites a calling number the trunk sent.
func (t *Trunk) CallingNumber(n string) string { return t.numbering.Apply(t.calling, n) }

// ContactUser is the user of the contact registered with the provider,
// "" when the trunk does not register.
func (t *Trunk) ContactUser() string {
	if t.cfg.Register == nil || t.cfg.Auth == nil {
		return ""
	}
	return aorUser(t.aor())
}

// aorUser takes the user part out of sip:user@domain.
func aorUser(aor string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(aor, "sips:"), "sip:")
	user, _, ok := strings.Cut(rest, "@")
	if !ok {
		return ""
	}
	return user
}

// DialledNumber rewrites a number to dial out through the trunk.
func (t *Trunk) DialledNumber(n string) string { return t.numbering.Apply(t.outbound, n) }

// Up reports the OPTIONS health.
func (t *Trunk) Up() bool { return t.up.Load() }

// Registered reports whether the last registration succeeded.
func (t *Trunk) Registered() bool { return t.reg.Load() }

// primary is where calls, pings and registrations go.
func (t *Trunk) primary() (netip.AddrPort, bool) {
	a := t.addrs.Load()
	if a == nil || len(*a) == 0 {
		return netip.AddrPort{}, false
	}
	return (*a)[0], true
}

// Set is every configured trunk.
type Set struct {
	trunks []*Trunk
	byName map[string]*Trunk
	opts   Options
	log    *slog.Logger
	index  atomic.Pointer[map[netip.Addr]*Trunk] // source address → trunk
	mu     sync.Mutex                            // rebuilding the index

	upGauge, regGauge *prometheus.GaugeVec
	callFailures      *prometheus.CounterVec

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds the trunks of cfgs; hostnames are resolved once now (a
// failure is logged and retried every resolve_every, never fatal: DNS may
// come back before the trunk is needed).
func New(cfgs []config.Trunk, opts Options) (*Set, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Resolve == nil {
		opts.Resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	s := &Set{byName: make(map[string]*Trunk), opts: opts, log: opts.Logger.With("part", "trunks")}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, c := range cfgs {
		t, err := newTrunk(c.WithDefaults())
		if err != nil {
			return nil, err
		}
		s.trunks = append(s.trunks, t)
		s.byName[t.cfg.Name] = t
	}
	if err := s.registerMetrics(opts.Registerer); err != nil {
		return nil, err
	}
	for _, t := range s.trunks {
		s.setUp(t, true)
		if t.cfg.Host != "" {
			s.resolve(t)
		}
	}
	s.reindex()
	return s, nil
}

func newTrunk(c config.Trunk) (*Trunk, error) {
	if c.Register != nil && c.Auth == nil {
		return nil, fmt.Errorf("trunk %s: register needs auth", c.Name)
	}
	t := &Trunk{
		cfg:       c,
		numbering: Numbering{CountryCode: c.CountryCode, NationalPrefix: c.NationalPrefix, InternationalPrefix: c.InternationalPrefix},
		called:    rule(c.InboundCalled), calling: rule(c.InboundCalling), outbound: rule(c.Outbound),
		health: NewHealth(c.DownAfter),
	}
	if c.Auth != nil {
		t.password = c.Auth.Secret()
	}
	var addrs []netip.AddrPort
	for _, a := range c.Addresses {
		ap, err := config.ParseTrunkAddress(a)
		if err != nil {
			return nil, fmt.Errorf("trunk %s: %w", c.Name, err)
		}
		addrs = append(addrs, ap)
	}
	t.addrs.Store(&addrs)
	return t, nil
}

func rule(r config.NumberRule) Rule {
	return Rule{Format: Format(r.Format), Strip: r.Strip, Add: r.Add}
}

// Get returns the trunk called name.
func (s *Set) Get(name string) (*Trunk, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// TrunkFor finds the trunk src belongs to (sip.TrunkDirectory).
func (s *Set) TrunkFor(src netip.Addr) (sip.InboundTrunk, bool) {
	if s == nil {
		return nil, false
	}
	t, ok := (*s.index.Load())[src.Unmap()]
	return t, ok
}

// KnownPeer reports whether src is one of the trunks' addresses.
func (s *Set) KnownPeer(src netip.Addr) bool {
	_, ok := s.TrunkFor(src)
	return ok
}

// reindex rebuilds the source address index from every trunk's addresses;
// an address listed by two trunks belongs to the first.
func (s *Set) reindex() {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := make(map[netip.Addr]*Trunk)
	for _, t := range s.trunks {
		for _, a := range *t.addrs.Load() {
			if _, dup := idx[a.Addr().Unmap()]; !dup {
				idx[a.Addr().Unmap()] = t
			}
		}
	}
	s.index.Store(&idx)
}

// resolve looks t's host up and stores the addresses, sorted so that the
// primary does not jump between answers of a round-robin DNS.
func (s *Set) resolve(t *Trunk) {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	ips, err := s.opts.Resolve(ctx, t.cfg.Host)
	if err == nil && len(ips) == 0 {
		err = errors.New("no address")
	}
	if err != nil {
		s.log.Warn("trunk host not resolved; keeping the last addresses", "trunk", t.cfg.Name, "host", t.cfg.Host, "err", err)
		return
	}
	addrs := make([]netip.AddrPort, 0, len(ips))
	for _, ip := range ips {
		addrs = append(addrs, netip.AddrPortFrom(ip.Unmap(), uint16(t.cfg.Port)))
	}
	sortAddrs(addrs)
	if old := t.addrs.Load(); old == nil || !sameAddrs(*old, addrs) {
		s.log.Info("trunk host resolved", "trunk", t.cfg.Name, "host", t.cfg.Host, "addresses", len(addrs), "primary", addrs[0].String())
	}
	t.addrs.Store(&addrs)
}

// Routes returns, for a number, the ways out through the named trunks
// that are up, in the order given; fromNumber is the caller ID of trunks
// without their own.
func (s *Set) Routes(names []string, fromNumber string) func(number string) []callout.TrunkRoute {
	return func(number string) []callout.TrunkRoute {
		var out []callout.TrunkRoute
		for _, name := range names {
			t, ok := s.byName[name]
			if !ok || !t.Up() {
				continue
			}
			dest, ok := t.primary()
			if !ok {
				continue
			}
			r := callout.TrunkRoute{
				Trunk: name, Dest: dest, Transport: t.cfg.Transport,
				Number: t.DialledNumber(number), FromNumber: fromNumber,
				AssertIdentity: t.cfg.Trusted,
				Failed:         s.failedCall(name),
			}
			if t.cfg.FromNumber != "" {
				r.FromNumber = t.cfg.FromNumber
			}
			if t.cfg.Auth != nil {
				r.Username, r.Password = t.cfg.Auth.Username, t.password
			}
			out = append(out, r)
		}
		return out
	}
}

// aor is the address-of-record a trunk registers (the sip package checks
// its form).
func (t *Trunk) aor() string {
	if t.cfg.Register != nil && t.cfg.Register.AOR != "" {
		return t.cfg.Register.AOR
	}
	host := t.cfg.Host
	if host == "" {
		if p, ok := t.primary(); ok {
			host = p.Addr().String()
			if p.Addr().Is6() {
				host = "[" + host + "]"
			}
		}
	}
	return "sip:" + t.cfg.Auth.Username + "@" + host
}

func sameAddrs(a, b []netip.AddrPort) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sortAddrs(a []netip.AddrPort) {
	slices.SortFunc(a, func(x, y netip.AddrPort) int { return x.Compare(y) })
}
