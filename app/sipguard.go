package app

import (
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/guard"
)

// applySIPSecurity copies sip.security and the overload keys into the SIP
// endpoint's configuration and reports its refusals and bans as metrics.
func (s *Server) applySIPSecurity(sc *sip.Config) error {
	sec, o := s.cfg.SIP.Security, s.cfg.SIP.Overload
	trusted, err := sec.TrustedPrefixes()
	if err != nil {
		return s.cfg.Errorf("sip", "sip.security.trusted_networks: %v", err)
	}
	sc.Guard = guard.Config{
		Trusted:       trusted,
		MaxSources:    sec.MaxSources,
		Invite:        rateLimit(sec.RateLimits.Invite),
		Register:      rateLimit(sec.RateLimits.Register),
		Options:       rateLimit(sec.RateLimits.Options),
		UserAgentDeny: sec.UserAgentDeny,
		ScannerAction: guard.Action(sec.ScannerAction),
		BanAction:     guard.Action(sec.BanAction),
	}
	sc.Guard.IPv6PrefixLength = sec.IPv6PrefixLength
	sc.Auth.MaxFailures, sc.Auth.Window, sc.Auth.BanFor = sec.MaxAuthFailures, sec.FailureWindow, sec.BanFor
	sc.Overload = guard.OverloadConfig{
		MaxCallsPerSecond: o.MaxCallsPerSecond,
		MaxCPUPercent:     o.MaxCPUPercent,
		RetryAfter:        o.RetryAfter,
	}
	series := s.metrics.EnableSIP(func() int {
		if s.sip == nil {
			return 0
		}
		return s.sip.BannedSources()
	})
	sc.OnReject, sc.OnBan = series.Rejected, series.Banned
	sc.MaxContacts, sc.OnContactReplaced = s.cfg.SIP.MaxContacts, series.ContactReplaced
	sc.OnSessionExpired = series.SessionExpired
	return nil
}

func rateLimit(r config.Rate) guard.RateLimit {
	return guard.RateLimit{PerSecond: r.PerSecond, Burst: r.Burst}
}
