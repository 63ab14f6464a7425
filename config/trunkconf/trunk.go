package trunkconf

import (
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"time"
)

// Trunk is one carrier or provider interconnect (docs/trunks.md): where
// its SIP comes from and goes to, whether its caller identity is believed,
// how numbers are rewritten across it, and how the server authenticates to
// it.
type Trunk struct {
	Name string `yaml:"name"`
	// Addresses are IP or IP:port; or Host, a DNS name resolved at start
	// and every ResolveEvery. The first address is where calls, pings and
	// registrations go; every address is accepted as a source of calls.
	Addresses    []string      `yaml:"addresses"`
	Host         string        `yaml:"host"`
	Port         int           `yaml:"port"`          // with host (5060)
	ResolveEvery time.Duration `yaml:"resolve_every"` // with host (5m)
	Transport    string        `yaml:"transport"`     // udp (default) or tcp
	// Trusted: P-Asserted-Identity, then Remote-Party-ID, from this trunk's
	// addresses name the caller (RFC 3325), and the addresses are trusted
	// sources like sip.security.trusted_networks.
	Trusted bool `yaml:"trusted"`

	CountryCode         string `yaml:"country_code"`         // E.164 country code, digits ("86")
	NationalPrefix      string `yaml:"national_prefix"`      // trunk prefix of national numbers ("0")
	InternationalPrefix string `yaml:"international_prefix"` // ("00")
	// How numbers are rewritten: the called and the calling number of
	// calls coming in, the number dialled on calls going out.
	InboundCalled  NumberRule `yaml:"inbound_called"`
	InboundCalling NumberRule `yaml:"inbound_calling"`
	Outbound       NumberRule `yaml:"outbound"`

	Auth     *TrunkAuth     `yaml:"auth"`     // answers 401/407 on calls out, and registers
	Register *TrunkRegister `yaml:"register"` // nil: no registration
	// FromNumber is the caller ID on calls out through this trunk;
	// default callback_gateway.from_number.
	FromNumber string `yaml:"from_number"`
	// OPTIONS pings: every OptionsInterval; DownAfter unanswered pings in
	// a row mark the trunk down, one answer marks it up again.
	OptionsInterval time.Duration `yaml:"options_interval"`
	DownAfter       int           `yaml:"down_after"`
}

// NumberRule rewrites one kind of number: Strip is removed from the front
// when present, then the number is put in Format (keep, e164 or national),
// then Add is put in front.
type NumberRule struct {
	Format string `yaml:"format"`
	Strip  string `yaml:"strip"`
	Add    string `yaml:"add"`
}

// TrunkAuth are digest credentials for a trunk. The password is written in
// the file or, better, named by PasswordEnv, an environment variable read
// at start; it is never logged.
type TrunkAuth struct {
	Username    string `yaml:"username"`
	Password    string `yaml:"password"`
	PasswordEnv string `yaml:"password_env"`
}

// TrunkRegister is the outbound registration to a provider (RFC 3261 §10).
type TrunkRegister struct {
	// AOR is the address-of-record registered; default
	// sip:{auth.username}@{trunk host}.
	AOR     string        `yaml:"aor"`
	Expires time.Duration `yaml:"expires"` // asked for (1h); refreshed before it runs out
}

// Trunk defaults.
const (
	DefaultTrunkPort            = 5060
	DefaultTrunkResolveEvery    = 5 * time.Minute
	DefaultTrunkOptionsInterval = 30 * time.Second
	DefaultTrunkDownAfter       = 3
	DefaultTrunkRegisterExpires = time.Hour
)

// WithDefaults fills the zero values.
func (t Trunk) WithDefaults() Trunk {
	if t.Transport == "" {
		t.Transport = "udp"
	}
	if t.Host != "" && t.Port == 0 {
		t.Port = DefaultTrunkPort
	}
	if t.Host != "" && t.ResolveEvery == 0 {
		t.ResolveEvery = DefaultTrunkResolveEvery
	}
	if t.NationalPrefix == "" {
		t.NationalPrefix = "0"
	}
	if t.InternationalPrefix == "" {
		t.InternationalPrefix = "00"
	}
	if t.OptionsInterval == 0 {
		t.OptionsInterval = DefaultTrunkOptionsInterval
	}
	if t.DownAfter == 0 {
		t.DownAfter = DefaultTrunkDownAfter
	}
	for _, r := range []*NumberRule{&t.InboundCalled, &t.InboundCalling, &t.Outbound} {
		if r.Format == "" {
			r.Format = "keep"
		}
	}
	if t.Register != nil {
		reg := *t.Register
		if reg.Expires == 0 {
			reg.Expires = DefaultTrunkRegisterExpires
		}
		t.Register = &reg
	}
	return t
}

// Secret is the trunk's digest password: from the environment when
// password_env is set.
func (a TrunkAuth) Secret() string {
	if a.PasswordEnv != "" {
		return os.Getenv(a.PasswordEnv)
	}
	return a.Password
}

var (
	trunkName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	digits    = regexp.MustCompile(`^[0-9]+$`)
	dialChars = regexp.MustCompile(`^\+?[0-9*#]*$`)
	envName   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Check reports what is wrong with one trunk, as "key: reason" pairs
// relative to the trunk.
func (t Trunk) Check() []string {
	d := t.WithDefaults()
	var bad []string
	add := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	if !trunkName.MatchString(d.Name) {
		add("name %q: want 1-32 of a-z, 0-9, - and _", t.Name)
	}
	switch {
	case len(d.Addresses) > 0 && d.Host != "":
		add("host: give addresses or host, not both")
	case len(d.Addresses) == 0 && d.Host == "":
		add("addresses: give the trunk's addresses (IP or IP:port) or its host")
	}
	if d.Host == "" && (t.Port != 0 || t.ResolveEvery != 0) {
		add("port: port and resolve_every go with host; put the port in each address")
	}
	for i, a := range d.Addresses {
		if _, err := ParseTrunkAddress(a); err != nil {
			add("addresses[%d]: %v", i, err)
		}
	}
	if d.Host != "" {
		if _, err := netip.ParseAddr(d.Host); err == nil || strings.ContainsAny(d.Host, ":/ @") {
			add("host %q: want a DNS name (put IP addresses in addresses)", d.Host)
		}
		if d.Port < 1 || d.Port > 65535 {
			add("port %d: want 1 to 65535", d.Port)
		}
		if d.ResolveEvery < 10*time.Second || d.ResolveEvery > 24*time.Hour {
			add("resolve_every %s: want between 10s and 24h", d.ResolveEvery)
		}
	}
	if d.Transport != "udp" && d.Transport != "tcp" {
		add("transport %q: want udp or tcp", t.Transport)
	}
	bad = append(bad, d.checkNumbers()...)
	bad = append(bad, d.checkAuth()...)
	if d.FromNumber != "" && !dialChars.MatchString(d.FromNumber) {
		add("from_number %q: want digits, optionally after +", t.FromNumber)
	}
	if d.OptionsInterval < time.Second || d.OptionsInterval > time.Hour {
		add("options_interval %s: want between 1s and 1h", d.OptionsInterval)
	}
	if d.DownAfter < 1 || d.DownAfter > 100 {
		add("down_after %d: want 1 to 100", d.DownAfter)
	}
	return bad
}

func (t Trunk) checkNumbers() []string {
	var bad []string
	if t.CountryCode != "" && (!digits.MatchString(t.CountryCode) || len(t.CountryCode) > 3) {
		bad = append(bad, fmt.Sprintf("country_code %q: want 1 to 3 digits", t.CountryCode))
	}
	if !digits.MatchString(t.NationalPrefix) || !digits.MatchString(t.InternationalPrefix) {
		bad = append(bad, "national_prefix and international_prefix: want digits")
	}
	rules := map[string]NumberRule{"inbound_called": t.InboundCalled, "inbound_calling": t.InboundCalling, "outbound": t.Outbound}
	for _, key := range []string{"inbound_called", "inbound_calling", "outbound"} {
		r := rules[key]
		switch r.Format {
		case "keep":
		case "e164", "national":
			if t.CountryCode == "" {
				bad = append(bad, fmt.Sprintf("%s.format %s needs country_code", key, r.Format))
			}
		default:
			bad = append(bad, fmt.Sprintf("%s.format %q: want keep, e164 or national", key, r.Format))
		}
		if !dialChars.MatchString(r.Strip) || !dialChars.MatchString(r.Add) {
			bad = append(bad, fmt.Sprintf("%s: strip and add take digits, *, # and a leading +", key))
		}
	}
	return bad
}

func (t Trunk) checkAuth() []string {
	var bad []string
	if a := t.Auth; a != nil {
		switch {
		case a.Username == "" || strings.ContainsAny(a.Username, " \"@:;<>"):
			bad = append(bad, fmt.Sprintf("auth.username %q: want the user name the provider gave", a.Username))
		case a.Password != "" && a.PasswordEnv != "":
			bad = append(bad, "auth.password_env: give password or password_env, not both")
		case a.PasswordEnv != "" && !envName.MatchString(a.PasswordEnv):
			bad = append(bad, fmt.Sprintf("auth.password_env %q: not an environment variable name", a.PasswordEnv))
		case a.PasswordEnv != "" && os.Getenv(a.PasswordEnv) == "":
			bad = append(bad, fmt.Sprintf("auth.password_env %s: the variable is not set or empty", a.PasswordEnv))
		case a.Password == "" && a.PasswordEnv == "":
			bad = append(bad, "auth.password: give password or password_env")
		}
	}
	if r := t.Register; r != nil {
		if t.Auth == nil {
			bad = append(bad, "register: needs auth (the provider's user name and password)")
		}
		if r.AOR != "" && (!strings.HasPrefix(r.AOR, "sip:") || !strings.Contains(r.AOR, "@")) {
			bad = append(bad, fmt.Sprintf("register.aor %q: want sip:user@domain", r.AOR))
		}
		if r.Expires < time.Minute || r.Expires > 24*time.Hour {
			bad = append(bad, fmt.Sprintf("register.expires %s: want between 1m and 24h", r.Expires))
		}
	}
	return bad
}

// ParseTrunkAddress reads IP or IP:port (port 5060 when left out).
func ParseTrunkAddress(s string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return netip.AddrPort{}, fmt.Errorf("%q: port 0", s)
		}
		return ap, nil
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: want IP or IP:port", s)
	}
	return netip.AddrPortFrom(a.Unmap(), DefaultTrunkPort), nil
}
