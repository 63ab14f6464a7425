package admission

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/internal/siptest"

	"github.com/hotline-oss/hotline/sip/guard"
	"github.com/hotline-oss/hotline/sip/sipheader"
)

// inviteFrom is an INVITE to 95598 whose From names from, with pai as
// P-Asserted-Identity values.
func inviteFrom(source, from string, pai ...string) *sipmsg.Request {
	var headers []string
	for _, v := range pai {
		headers = append(headers, "P-Asserted-Identity", v)
	}
	req := siptest.TrunkInvite(source, "95598", headers...)
	req.From().Address.User = from
	return req
}

// Only a trusted source is believed, and from there P-Asserted-Identity
// comes before From; elsewhere From is taken as a claim and PAI ignored.
func TestCallerIdentityTrustsOnlyTheCarrierSide(t *testing.T) {
	n := Numbers{Trusted: guard.New(guard.Config{Trusted: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("203.0.113.10/32"),
	}}, nil, nil).Trusted}
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
		got, trusted := n.Caller(c.req)
		if got != c.want || trusted != c.wantTrusted {
			t.Errorf("%s: caller %q trusted %v, want %q %v", c.name, got, trusted, c.want, c.wantTrusted)
		}
	}
}

// fakeTrunk is a trunk of the directory below: it strips +86 from every
// number it sends.
type fakeTrunk struct{ trusted bool }

func (f fakeTrunk) TrustedIdentity() bool         { return f.trusted }
func (f fakeTrunk) CalledNumber(n string) string  { return strings.TrimPrefix(n, "+86") }
func (f fakeTrunk) CallingNumber(n string) string { return strings.TrimPrefix(n, "+86") }
func (f fakeTrunk) ContactUser() string           { return "4008001234" }

type fakeTrunks map[netip.Addr]fakeTrunk

func (f fakeTrunks) TrunkFor(src netip.Addr) (Trunk, bool) {
	t, ok := f[src]
	return t, ok
}

func trunkNumbers() Numbers {
	hotline := map[string]bool{"95598": true, "2155500000": true, "+862155500001": true}
	return Numbers{
		Trusted:   guard.New(guard.Config{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, nil, nil).Trusted,
		IsHotline: func(n string) bool { return hotline[n] },
		Trunks: fakeTrunks{
			netip.MustParseAddr("203.0.113.10"): {trusted: true},
			netip.MustParseAddr("203.0.113.20"): {trusted: false},
		},
	}
}

func TestCallerIdentityThroughTrunks(t *testing.T) {
	n := trunkNumbers()
	pai := []string{"P-Asserted-Identity", "<sip:+8613800000001@carrier>"}
	rpid := []string{"Remote-Party-ID", `<sip:+8613800000002@carrier>;party=called, "X" <sip:+8613800000003@carrier>;party=calling;screen=yes`}
	cases := []struct {
		name    string
		req     *sipmsg.Request
		want    string
		trusted bool
	}{
		{"trusted trunk, PAI", siptest.TrunkInvite("203.0.113.10:5060", "95598", pai...), "13800000001", true},
		{"trusted trunk, PAI before RPID", siptest.TrunkInvite("203.0.113.10:5060", "95598", append(slices.Clone(rpid), pai...)...), "13800000001", true},
		{"trusted trunk, RPID calling party", siptest.TrunkInvite("203.0.113.10:5060", "95598", rpid...), "13800000003", true},
		{"untrusted trunk: PAI ignored", siptest.TrunkInvite("203.0.113.20:5060", "95598", pai...), "anonymous", false},
		{"trusted network, no trunk rule", siptest.TrunkInvite("10.1.2.3:5060", "95598", pai...), "+8613800000001", true},
		{"stranger", siptest.TrunkInvite("198.51.100.1:5060", "95598", rpid...), "anonymous", false},
	}
	for _, c := range cases {
		got, trusted := n.Caller(c.req)
		if got != c.want || trusted != c.trusted {
			t.Errorf("%s: %q trusted=%v, want %q trusted=%v", c.name, got, trusted, c.want, c.trusted)
		}
	}
}

func TestCalledNumberFollowsForwarding(t *testing.T) {
	n := trunkNumbers()
	div := func(n string) []string {
		return []string{"Diversion", "<sip:" + n + "@carrier;user=phone>;reason=unconditional"}
	}
	cases := []struct {
		name string
		req  *sipmsg.Request
		want string
	}{
		{"trunk rule on the Request-URI", siptest.TrunkInvite("203.0.113.20:5060", "+8695598"), "95598"},
		{"forwarded from a regional number", siptest.TrunkInvite("203.0.113.20:5060", "+8695598", div("+862155500000")...), "2155500000"},
		{"forwarded from a number that is not ours", siptest.TrunkInvite("203.0.113.20:5060", "+8695598", div("+861099999999")...), "95598"},
		{"earliest Diversion wins", siptest.TrunkInvite("203.0.113.10:5060", "+8695598",
			"Diversion", "<sip:+861099999999@c>;counter=1", "Diversion", "<tel:+86-21-5550-0000>;counter=1"), "2155500000"},
		{"History-Info in index order", siptest.TrunkInvite("10.0.0.1:5060", "95598",
			"History-Info", "<sip:95598@hotline>;index=1.1, <sip:+862155500001@c?Reason=SIP%3Bcause%3D302>;index=1"), "+862155500001"},
		{"History-Info before Diversion", siptest.TrunkInvite("10.0.0.1:5060", "95598",
			"Diversion", "<sip:2155500000@c>", "History-Info", "<sip:+862155500001@c>;index=1, <sip:95598@h>;index=1.1"), "+862155500001"},
		{"call to our registered contact: To names the number", siptest.TrunkInvite("203.0.113.20:5060", "4008001234",
			"To", "<sip:+8695598@provider>"), "95598"},
		{"stranger's Diversion ignored", siptest.TrunkInvite("198.51.100.1:5060", "95598", div("2155500000")...), "95598"},
	}
	for _, c := range cases {
		if got := n.Called(c.req); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// BenchmarkInboundIdentity is the cost trunks add to every INVITE: who is
// calling and which number routes the call, for a carrier's call with
// P-Asserted-Identity and a Diversion, against a plain call from a
// trusted network. Target: a few microseconds, no more than the INVITE's
// parsing (docs/trunks.md).
func BenchmarkInboundIdentity(b *testing.B) {
	n := trunkNumbers()
	carrier := siptest.TrunkInvite("203.0.113.10:5060", "+8695598",
		"P-Asserted-Identity", "<sip:+8613800000001@carrier;user=phone>",
		"Diversion", "<sip:+862155500000@carrier;user=phone>;reason=unconditional;counter=1")
	plain := siptest.TrunkInvite("10.0.0.1:5060", "95598")
	for _, bc := range []struct {
		name string
		req  *sipmsg.Request
	}{{"trunk_pai_diversion", carrier}, {"trusted_network_plain", plain}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = n.Caller(bc.req)
				_ = n.Called(bc.req)
			}
		})
	}
}

// FuzzIdentityHeaders feeds arbitrary P-Asserted-Identity, Remote-Party-ID,
// Diversion and History-Info values from a trusted trunk: nothing may
// panic, a number taken is digits (after an optional +), and the
// forwarding chain read stays bounded.
func FuzzIdentityHeaders(f *testing.F) {
	f.Add("<sip:+8613800000001@c>", `<sip:1@c>;party=calling`, "<sip:+862155500000@c>;counter=1", "<sip:95598@h>;index=1.1, <tel:+86-21-5550-0001>;index=1")
	f.Add(`"a,b" <sip:x@y`, `<>;party=`, ",,,,", "<sip:1@h>;index=1.2.3.4.5.6.7.8.9")
	f.Add("", "", "", "")
	n := trunkNumbers()
	f.Fuzz(func(t *testing.T, pai, rpid, diversion, history string) {
		req := siptest.TrunkInvite("203.0.113.10:5060", "+8695598",
			"P-Asserted-Identity", pai, "Remote-Party-ID", rpid, "Diversion", diversion, "History-Info", history)
		if n := sipheader.AssertedIdentity(req); n != "" && sipheader.StripVisual(n) != n {
			t.Fatalf("asserted %q is not a number", n)
		}
		if chain := sipheader.RedirectedFrom(req); len(chain) > 2*sipheader.MaxRedirections {
			t.Fatalf("%d forwarding entries read", len(chain))
		}
		_, _ = n.Caller(req)
		_ = n.Called(req)
	})
}
