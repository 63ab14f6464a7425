package app

import (
	"net/netip"

	"github.com/hotline-oss/hotline/sip"
)

// The endpoint's settings from the configuration come from app/sipsetup;
// what the running server adds to them is here and in Start.

// sipSeries reports the endpoint's refusals, bans, replaced contacts and
// expired sessions as metrics.
func (s *Server) sipSeries(sc *sip.Config) {
	series := s.metrics.EnableSIP(func() int {
		if s.sip == nil {
			return 0
		}
		return s.sip.BannedSources()
	})
	sc.OnReject, sc.OnBan = series.Rejected, series.Banned
	sc.OnContactReplaced = series.ContactReplaced
	sc.OnSessionExpired = series.SessionExpired
}

// SIPTLSAddr is the bound SIP-over-TLS address; invalid when TLS is off.
func (s *Server) SIPTLSAddr() netip.AddrPort { return s.sip.TLSAddr() }
