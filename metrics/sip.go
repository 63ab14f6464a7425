package metrics

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// SIPRejectReasons are the values of hotline_sip_rejected_total{reason}.
// They mirror the sip package's Reject* reasons (metrics does not import
// sip); anything else is counted as "other" so the series stays bounded.
var SIPRejectReasons = []string{
	"banned", "auth_failed", "rate_limited", "user_agent", "not_ours",
	"overload", "draining", "malformed", "method", "nonce_replay",
}

// SIPSeries counts what the SIP guard refuses and bans.
type SIPSeries struct {
	rejected *prometheus.CounterVec
	bans     prometheus.Counter
	replaced prometheus.Counter
	expired  prometheus.Counter
}

// EnableSIP registers the SIP guard's series; banned reports how many
// sources are banned at scrape time.
func (m *Metrics) EnableSIP(banned func() int) *SIPSeries {
	s := &SIPSeries{
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_sip_rejected_total",
			Help: "SIP requests refused, by reason (banned, auth_failed, rate_limited, user_agent, not_ours, overload, draining, malformed, method, nonce_replay).",
		}, []string{"reason"}),
		bans: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_sip_bans_total",
			Help: "Sources banned after repeated failed digest logins.",
		}),
		replaced: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_sip_contacts_replaced_total",
			Help: "Agents' registered contacts dropped for a newer one past sip.max_contacts.",
		}),
		expired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_sip_sessions_expired_total",
			Help: "Calls ended because their session interval ran out without a refresh (RFC 4028 session timer).",
		}),
	}
	for _, r := range SIPRejectReasons {
		s.rejected.WithLabelValues(r)
	}
	bannedGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hotline_sip_banned_sources",
		Help: "Sources banned now (IPv4 addresses, IPv6 prefixes).",
	}, func() float64 { return float64(banned()) })
	m.registry.MustRegister(s.rejected, s.bans, s.replaced, s.expired, bannedGauge)
	return s
}

// Rejected counts one refused request.
func (s *SIPSeries) Rejected(reason string) {
	if !slices.Contains(SIPRejectReasons, reason) {
		reason = "other"
	}
	s.rejected.WithLabelValues(reason).Inc()
}

// Banned counts one new ban.
func (s *SIPSeries) Banned() { s.bans.Inc() }

// ContactReplaced counts one registered contact replaced by a newer one.
func (s *SIPSeries) ContactReplaced() { s.replaced.Inc() }

// SessionExpired counts one call ended by its session timer.
func (s *SIPSeries) SessionExpired() { s.expired.Inc() }
