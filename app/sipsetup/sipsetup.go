package sipsetup

import (
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/hotline-oss/hotline/app/promptset"
	"github.com/hotline-oss/hotline/app/snapshot"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/guard"
)

// Config is the endpoint's settings from cfg. The addresses were checked
// when the configuration was loaded; the prompt set gives the early media.
func Config(cfg *config.Config, ps *promptset.Set, now func() time.Time, log *slog.Logger) (sip.Config, error) {
	rtpAdvertise := netip.MustParseAddr(cfg.RTP.Address)
	if cfg.RTP.Advertise != "" {
		rtpAdvertise = netip.MustParseAddr(cfg.RTP.Advertise)
	}
	agentCodecs, codecErr := rtpcodec.ParseCodecs(cfg.RTP.AgentCodecs)
	if codecErr != nil {
		return sip.Config{}, fmt.Errorf("rtp.agent_codecs: %w", codecErr)
	}
	sc := sip.Config{
		AgentCodecs:       agentCodecs,
		Listen:            netip.MustParseAddrPort(cfg.SIP.Listen),
		Transports:        cfg.SIP.Transports,
		MaxCalls:          cfg.SIP.MaxCalls,
		AnswerDelay:       cfg.SIP.AnswerDelay,
		UserAgent:         cfg.SIP.UserAgent,
		TCPIdleTimeout:    cfg.SIP.TCPIdleTimeout,
		RTPAdvertise:      rtpAdvertise,
		InactivityTimeout: cfg.RTP.InactivityTimeout,
		MaskNumbers:       cfg.MaskNumbers(),
		Logger:            log,
		Auth:              guard.AuthConfig{Algorithms: cfg.SIP.DigestAlgorithms},
		Now:               now,
	}
	if cfg.SIP.Advertise != "" {
		sc.Advertise = netip.MustParseAddr(cfg.SIP.Advertise)
	}
	if err := security(cfg, &sc); err != nil {
		return sip.Config{}, err
	}
	callerExtensions(cfg, ps, &sc)
	return sc, nil
}

// security copies sip.security and the overload keys into the guard's
// settings.
func security(cfg *config.Config, sc *sip.Config) error {
	sec, o := cfg.SIP.Security, cfg.SIP.Overload
	trusted, err := sec.TrustedPrefixes()
	if err != nil {
		return cfg.Errorf("sip", "sip.security.trusted_networks: %v", err)
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
	sc.MaxContacts = cfg.SIP.MaxContacts
	return nil
}

func rateLimit(r config.Rate) guard.RateLimit {
	return guard.RateLimit{PerSecond: r.PerSecond, Burst: r.Burst}
}

// callerExtensions passes the callers' SIP extensions to the endpoint:
// session timers (sip.session_timer) and the early media announcements of
// numbers in the long form (checked when the snapshot is compiled).
func callerExtensions(cfg *config.Config, ps *promptset.Set, sc *sip.Config) {
	st := cfg.SIP.SessionTimer.WithDefaults()
	sc.MinSE, sc.SessionExpires = st.MinSE, st.SessionExpires
	if !st.On() {
		sc.SessionExpires = -1
	}
	announcements, _ := snapshot.EarlyMedia(cfg, ps)
	if len(announcements) > 0 {
		sc.EarlyMedia = func(number string) []*playout.Prompt { return announcements[number] }
	}
}
