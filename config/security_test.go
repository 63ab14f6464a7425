package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestSecurityDefaultsAndOverrides(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, o := cfg.SIP.Security, cfg.SIP.Overload
	if s.MaxAuthFailures != 10 || s.FailureWindow != 10*time.Minute || s.BanFor != 15*time.Minute || s.BanAction != "403" {
		t.Errorf("ban defaults: %+v", s)
	}
	if s.ScannerAction != "silence" || len(s.UserAgentDeny) == 0 || s.RateLimits.Invite.PerSecond != 5 || s.MaxSources != 100_000 || s.IPv6PrefixLength != 64 {
		t.Errorf("guard defaults: %+v", s)
	}
	if o.MaxCallsPerSecond != 0 || o.MaxCPUPercent != 0 || o.RetryAfter != 30*time.Second {
		t.Errorf("overload defaults: %+v", o)
	}
	if cfg.SIP.MaxContacts != 5 {
		t.Errorf("max_contacts default %d, want 5", cfg.SIP.MaxContacts)
	}
	cfg, err = Parse("f.yaml", []byte(`numbers: {"1": main}
sip:
  max_calls_per_second: 50
  max_cpu_percent: 85
  retry_after: 10s
  max_contacts: 2
  security:
    trusted_networks: [203.0.113.0/24, 198.51.100.7]
    rate_limits: {invite: {per_second: 1, burst: 3}, options: {per_second: 0}}
    user_agent_deny: []
    scanner_action: 403
    ban_action: silence
    ipv6_prefix_length: 56
`))
	if err != nil {
		t.Fatal(err)
	}
	s, o = cfg.SIP.Security, cfg.SIP.Overload
	if o.MaxCallsPerSecond != 50 || o.MaxCPUPercent != 85 || o.RetryAfter != 10*time.Second || cfg.SIP.MaxContacts != 2 {
		t.Errorf("overload: %+v, max_contacts %d", o, cfg.SIP.MaxContacts)
	}
	if s.ScannerAction != "403" || s.BanAction != "silence" || len(s.UserAgentDeny) != 0 || s.IPv6PrefixLength != 56 {
		t.Errorf("actions and deny list: %+v", s)
	}
	if s.RateLimits.Invite != (Rate{PerSecond: 1, Burst: 3}) || s.RateLimits.Options.PerSecond != 0 || s.RateLimits.Register.PerSecond != 5 {
		t.Errorf("rate limits: %+v", s.RateLimits)
	}
	prefixes, err := s.TrustedPrefixes()
	if err != nil || len(prefixes) != 2 || prefixes[1] != netip.MustParsePrefix("198.51.100.7/32") {
		t.Errorf("trusted: %v %v", prefixes, err)
	}
}

func TestSecurityErrors(t *testing.T) {
	cases := map[string]string{
		"max_calls_per_second: -1":                                     "sip.max_calls_per_second must not be negative",
		"max_cpu_percent: 150":                                         "sip.max_cpu_percent must be between 0 (off) and 100",
		"retry_after: 0s":                                              "sip.retry_after must be between 1s and 1h",
		"security: {trusted_networks: [10.0.0.0/33]}":                  `trusted_networks: "10.0.0.0/33": want an address or a CIDR prefix`,
		"security: {rate_limits: {invite: {per_second: 2, burst: 0}}}": "rate_limits.invite: burst must be at least 1",
		"security: {rate_limits: {register: {per_second: -2}}}":        "rate_limits.register: per_second and burst must not be negative",
		"security: {scanner_action: drop}":                             `scanner_action "drop": want silence or 403`,
		"security: {ban_action: 404}":                                  `ban_action "404": want silence or 403`,
		"security: {max_auth_failures: 0}":                             "max_auth_failures must be at least 1",
		"security: {ban_for: 0s}":                                      "sip.security.ban_for must be positive",
		"security: {max_sources: 10}":                                  "max_sources must be at least 1000",
		"security: {user_agent_deny: [\"\"]}":                          "user_agent_deny: an entry is empty",
		"security: {rate_limit: {}}":                                   `unknown key "rate_limit"`,
		"security: {ipv6_prefix_length: 129}":                          "ipv6_prefix_length must be between 32 and 128",
		"security: {ipv6_prefix_length: 16}":                           "ipv6_prefix_length must be between 32 and 128",
		"max_contacts: 0":                                              "sip.max_contacts must be between 1 and 100",
	}
	for line, want := range cases {
		_, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\nsip:\n  "+line+"\n"))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "f.yaml:") {
			t.Errorf("%s: got %v, want %q with its position", line, err, want)
		}
	}
}
