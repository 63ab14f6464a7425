package app

import (
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/sip"
)

// applySIPSecurity copies sip.security and the overload keys into the SIP
// endpoint's configuration and reports its refusals and bans as metrics.
func (s *Server) applySIPSecurity(sc *sip.Config) error {
	sec, o := s.cfg.SIP.Security, s.cfg.SIP.Overload
	trusted, err := sec.TrustedPrefixes()
	if err != nil {
		return s.cfg.Errorf("sip", "sip.security.trusted_networks: %v", err)
	}
	sc.Guard = sip.GuardConfig{
		Trusted:       trusted,
		MaxSources:    sec.MaxSources,
		Invite:        rateLimit(sec.RateLimits.Invite),
		Register:      rateLimit(sec.RateLimits.Register),
		Options:       rateLimit(sec.RateLimits.Options),
		UserAgentDeny: sec.UserAgentDeny,
		ScannerAction: sip.Action(sec.ScannerAction),
		BanAction:     sip.Action(sec.BanAction),
	}
	sc.Guard.IPv6PrefixLength = sec.IPv6PrefixLength
	sc.Auth.MaxFailures, sc.Auth.Window, sc.Auth.BanFor = sec.MaxAuthFailures, sec.FailureWindow, sec.BanFor
	sc.Overload = sip.OverloadConfig{
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

func rateLimit(r config.Rate) sip.RateLimit {
	return sip.RateLimit{PerSecond: r.PerSecond, Burst: r.Burst}
}
