package admission

import (
	"net/netip"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/sipheader"
)

// Trunk is what admission needs to know about the trunk a request came
// from (package trunk implements it).
type Trunk interface {
	// TrustedIdentity: P-Asserted-Identity and Remote-Party-ID from this
	// trunk name the caller (RFC 3325).
	TrustedIdentity() bool
	// CalledNumber and CallingNumber rewrite the numbers the trunk sends
	// into the form numbers: and the call records use.
	CalledNumber(string) string
	CallingNumber(string) string
	// ContactUser is the user part of the Contact the server registers
	// with this trunk's provider, "" when it does not register: calls
	// sent to that contact name the dialled number in To instead.
	ContactUser() string
}

// TrunkDirectory finds the trunk a source address belongs to. It is
// asked on every INVITE and must not block.
type TrunkDirectory interface {
	TrunkFor(src netip.Addr) (Trunk, bool)
}

// Numbers reads the two numbers of an INVITE: the one it is routed by and
// the caller's.
type Numbers struct {
	// Trunks tells which trunk a request comes from; nil: none.
	Trunks TrunkDirectory
	// Trusted reports the carrier side: sip.security.trusted_networks,
	// loopback by default.
	Trusted func(src netip.Addr) bool
	// IsHotline reports the numbers of ours a forwarding chain may name.
	IsHotline func(number string) bool
}

// trunkFor is the trunk src belongs to, or nil.
func (n Numbers) trunkFor(src netip.Addr) Trunk {
	if n.Trunks == nil {
		return nil
	}
	if t, ok := n.Trunks.TrunkFor(src); ok {
		return t
	}
	return nil
}

// Called is the number a call is routed by. It is the Request-URI's
// user part (To's, when a provider calls our registered contact),
// rewritten by the trunk the call came through; when the call
// was forwarded (History-Info, Diversion) and came from a trunk or a
// trusted network, the earliest number of the forwarding chain that is one
// of ours wins, so a call forwarded from a regional number runs that
// number's flow. A stranger's forwarding headers are ignored: they would
// let anyone pick a flow.
func (n Numbers) Called(req *sipmsg.Request) string {
	src := Source(req)
	tr := n.trunkFor(src)
	norm := func(number string) string {
		if tr != nil {
			return tr.CalledNumber(number)
		}
		return number
	}
	number := req.Recipient.User
	if tr != nil && number != "" && number == tr.ContactUser() {
		// A provider we register with sends calls to our registered
		// contact; the number the caller dialled is in To (RFC 3261
		// 10.2.1's AOR and contact are the account, not the number).
		if to := req.To(); to != nil && to.Address.User != "" {
			number = to.Address.User
		}
	}
	number = norm(number)
	if tr == nil && !n.Trusted(src) {
		return number
	}
	for _, orig := range sipheader.RedirectedFrom(req) {
		if o := norm(orig); o == number || n.IsHotline(o) {
			return o
		}
	}
	return number
}

// Caller says who is calling. Only a trusted source (a network of
// sip.security.trusted_networks, loopback by default, or a trunk marked
// trusted) is believed: from there the number is the P-Asserted-Identity
// the network vouches for (RFC 3325), else Remote-Party-ID's calling
// party, else From. From anywhere else it is From as sent, a claim that
// may be shown but that the server must never dial back. A trunk's calling
// number rule rewrites whichever number was taken.
func (n Numbers) Caller(req *sipmsg.Request) (number string, trusted bool) {
	from := ""
	if f := req.From(); f != nil {
		from = f.Address.User
	}
	src := Source(req)
	tr := n.trunkFor(src)
	trusted = n.Trusted(src) || (tr != nil && tr.TrustedIdentity())
	if trusted {
		if a := sipheader.AssertedIdentity(req); a != "" {
			from = a
		}
	}
	if tr != nil {
		from = tr.CallingNumber(from)
	}
	return from, trusted
}

// Source is the address a request came from, IPv4-mapped addresses
// unmapped; invalid when the transport gave none that parses.
func Source(req *sipmsg.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// CallID is the request's Call-ID, "" when it has none.
func CallID(req *sipmsg.Request) string {
	if h := req.CallID(); h != nil {
		return h.Value()
	}
	return ""
}
