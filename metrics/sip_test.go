package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestSIPSeries(t *testing.T) {
	m := New()
	banned := 2
	s := m.EnableSIP(func() int { return banned })
	s.Rejected("rate_limited")
	s.Rejected("rate_limited")
	s.Rejected("auth_failed")
	s.Rejected("something new") // must not create a series of its own
	s.Banned()
	s.ContactReplaced()
	want := `
# HELP hotline_sip_contacts_replaced_total Agents' registered contacts dropped for a newer one past sip.max_contacts.
# TYPE hotline_sip_contacts_replaced_total counter
hotline_sip_contacts_replaced_total 1
# HELP hotline_sip_bans_total Sources banned after repeated failed digest logins.
# TYPE hotline_sip_bans_total counter
hotline_sip_bans_total 1
# HELP hotline_sip_banned_sources Sources banned now (IPv4 addresses, IPv6 prefixes).
# TYPE hotline_sip_banned_sources gauge
hotline_sip_banned_sources 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "hotline_sip_bans_total", "hotline_sip_banned_sources", "hotline_sip_contacts_replaced_total"); err != nil {
		t.Error(err)
	}
	for reason, n := range map[string]float64{"rate_limited": 2, "auth_failed": 1, "other": 1, "overload": 0, "banned": 0, "nonce_replay": 0} {
		if got := testutil.ToFloat64(s.rejected.WithLabelValues(reason)); got != n {
			t.Errorf("rejected{reason=%q} = %v, want %v", reason, got, n)
		}
	}
	if got := testutil.CollectAndCount(s.rejected); got != len(SIPRejectReasons)+1 {
		t.Errorf("%d reason series, want %d", got, len(SIPRejectReasons)+1)
	}
}
