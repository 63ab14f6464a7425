package sip

import (
	"net/netip"
	"testing"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/guard"
)

func inviteFrom(source, from string, pai ...string) *sipmsg.Request {
	req := sipmsg.NewRequest(sipmsg.INVITE, sipmsg.Uri{User: "95598", Host: "127.0.0.1"})
	req.AppendHeader(&sipmsg.FromHeader{Address: sipmsg.Uri{User: from, Host: "198.51.100.7"}, Params: sipmsg.NewParams()})
	for _, v := range pai {
		req.AppendHeader(sipmsg.NewHeader("P-Asserted-Identity", v))
	}
	req.SetSource(source)
	return req
}

// Only a trusted source is believed, and from there P-Asserted-Identity
// comes before From; elsewhere From is taken as a claim and PAI ignored.
func TestCallerIdentityTrustsOnlyTheCarrierSide(t *testing.T) {
	e := &Endpoint{guard: guard.New(guard.Config{Trusted: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("203.0.113.10/32"),
	}}, nil, nil)}
	cases := []struct {
		name        string
		req         *sipmsg.Request
		want        string
		wantTrusted bool
	}{
		{"carrier with PAI", inviteFrom("203.0.113.10:5060", "anonymous", "<sip:+8613800000001@sbc;user=phone>"), "+8613800000001", true},
		{"carrier, PAI without a number", inviteFrom("203.0.113.10:5060", "13800000001", "<sip:sbc.example>"), "13800000001", true},
		{"carrier without PAI", inviteFrom("203.0.113.10:5060", "13800000001"), "13800000001", true},
		{"loopback", inviteFrom("127.0.0.1:40000", "13800000001"), "13800000001", true},
		{"stranger with a forged PAI", inviteFrom("198.51.100.7:5060", "13800000001", "<tel:+8613900000002>"), "13800000001", false},
		{"stranger on the carrier's neighbour", inviteFrom("203.0.113.11:5060", "13800000001"), "13800000001", false},
	}
	for _, c := range cases {
		got, trusted := e.callerIdentity(c.req)
		if got != c.want || trusted != c.wantTrusted {
			t.Errorf("%s: caller %q trusted %v, want %q %v", c.name, got, trusted, c.want, c.wantTrusted)
		}
	}
}
