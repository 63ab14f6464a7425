package guardconf

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Overload holds the sip keys that refuse new calls past capacity; it is
// inlined in the sip section next to max_calls.
type Overload struct {
	// MaxCallsPerSecond admits at most this many new calls per second
	// (0: no limit).
	MaxCallsPerSecond float64 `yaml:"max_calls_per_second"`
	// MaxCPUPercent refuses new calls while the process used more than this
	// share of the machine (all cores = 100) over the last second (0: no
	// limit).
	MaxCPUPercent float64 `yaml:"max_cpu_percent"`
	// RetryAfter is sent with the 503 of every refused call.
	RetryAfter time.Duration `yaml:"retry_after"`
}

// Security is sip.security: per-source limits, scanners and bans.
type Security struct {
	// TrustedNetworks are never rate limited nor refused for a ban: a
	// carrier's SBC sends every caller's INVITE from one address.
	TrustedNetworks []string `yaml:"trusted_networks"`
	// MaxSources bounds the table of sources the limits remember.
	MaxSources int `yaml:"max_sources"`
	// IPv6PrefixLength makes one source of every IPv6 prefix this long
	// (rate limits, failed logins, bans): a host rotating addresses inside
	// its /64 is still one source. 128: each address on its own.
	IPv6PrefixLength int        `yaml:"ipv6_prefix_length"`
	RateLimits       RateLimits `yaml:"rate_limits"`
	// UserAgentDeny refuses requests whose User-Agent contains one of these
	// (case-insensitive); ScannerAction says how.
	UserAgentDeny []string `yaml:"user_agent_deny"`
	ScannerAction string   `yaml:"scanner_action"` // silence or 403
	// MaxAuthFailures wrong digest answers from one source within
	// FailureWindow ban it for BanFor; BanAction says how it is refused.
	MaxAuthFailures int           `yaml:"max_auth_failures"`
	FailureWindow   time.Duration `yaml:"failure_window"`
	BanFor          time.Duration `yaml:"ban_for"`
	BanAction       string        `yaml:"ban_action"` // 403 or silence
}

// RateLimits are per-source token buckets by method.
type RateLimits struct {
	Invite   Rate `yaml:"invite"`
	Register Rate `yaml:"register"`
	Options  Rate `yaml:"options"` // also methods the server does not serve
}

// Rate is a token bucket: per_second refills, up to burst (0 per_second:
// no limit).
type Rate struct {
	PerSecond float64 `yaml:"per_second"`
	Burst     int     `yaml:"burst"`
}

// DefaultSecurity is what an empty sip.security means.
func DefaultSecurity() Security {
	return Security{
		TrustedNetworks:  []string{"127.0.0.0/8", "::1/128"},
		MaxSources:       100_000,
		IPv6PrefixLength: 64,
		RateLimits: RateLimits{
			Invite:   Rate{PerSecond: 5, Burst: 20},
			Register: Rate{PerSecond: 5, Burst: 20},
			Options:  Rate{PerSecond: 5, Burst: 20},
		},
		UserAgentDeny: []string{
			"friendly-scanner", "sipvicious", "sipcli", "sip-scan", "sundayddr", "iWar", "VaxSIPUserAgent",
		},
		ScannerAction:   "silence",
		MaxAuthFailures: 10,
		FailureWindow:   10 * time.Minute,
		BanFor:          15 * time.Minute,
		BanAction:       "403",
	}
}

// DefaultMaxContacts is sip.max_contacts when the file does not set it.
const DefaultMaxContacts = 5

// DefaultOverload is what an absent set of overload keys means.
func DefaultOverload() Overload { return Overload{RetryAfter: 30 * time.Second} }

// TrustedPrefixes parses trusted_networks; a bare address is a /32 or /128.
func (s Security) TrustedPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, n := range s.TrustedNetworks {
		if p, err := netip.ParsePrefix(n); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(n)
		if err != nil {
			return nil, fmt.Errorf("%q: want an address or a CIDR prefix", n)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Check returns what is wrong with the keys of the sip section this
// package owns, each reason starting with its key below sip (such as
// "security.ban_for must be positive").
func Check(o Overload, s Security, maxContacts int) []string {
	var reasons []string
	bad := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	if o.MaxCallsPerSecond < 0 {
		bad("max_calls_per_second must not be negative (0 disables it)")
	}
	if o.MaxCPUPercent < 0 || o.MaxCPUPercent > 100 {
		bad("max_cpu_percent must be between 0 (off) and 100")
	}
	if o.RetryAfter < time.Second || o.RetryAfter > time.Hour {
		bad("retry_after must be between 1s and 1h")
	}
	if _, err := s.TrustedPrefixes(); err != nil {
		bad("security.trusted_networks: %v", err)
	}
	if s.MaxSources < 1000 {
		bad("security.max_sources must be at least 1000")
	}
	if s.IPv6PrefixLength < 32 || s.IPv6PrefixLength > 128 {
		bad("security.ipv6_prefix_length must be between 32 and 128")
	}
	for _, nr := range []struct {
		name string
		r    Rate
	}{{"invite", s.RateLimits.Invite}, {"register", s.RateLimits.Register}, {"options", s.RateLimits.Options}} {
		name, r := nr.name, nr.r
		if r.PerSecond < 0 || r.Burst < 0 {
			bad("security.rate_limits.%s: per_second and burst must not be negative", name)
		} else if r.PerSecond > 0 && r.Burst < 1 {
			bad("security.rate_limits.%s: burst must be at least 1 when per_second is set", name)
		}
	}
	for _, ua := range s.UserAgentDeny {
		if strings.TrimSpace(ua) == "" {
			bad("security.user_agent_deny: an entry is empty")
		}
	}
	if s.ScannerAction != "silence" && s.ScannerAction != "403" {
		bad("security.scanner_action %q: want silence or 403", s.ScannerAction)
	}
	if s.BanAction != "silence" && s.BanAction != "403" {
		bad("security.ban_action %q: want silence or 403", s.BanAction)
	}
	if maxContacts < 1 || maxContacts > 100 {
		bad("max_contacts must be between 1 and 100")
	}
	if s.MaxAuthFailures < 1 {
		bad("security.max_auth_failures must be at least 1")
	}
	if s.FailureWindow <= 0 {
		bad("security.failure_window must be positive")
	}
	if s.BanFor <= 0 {
		bad("security.ban_for must be positive")
	}
	return reasons
}
