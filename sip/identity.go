package sip

import (
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/sipheader"
)

// callerIdentity says who is calling. Only a trusted source (a network of
// sip.security.trusted_networks, loopback by default, or a trunk marked
// trusted) is believed: from there the number is the P-Asserted-Identity
// the network vouches for (RFC 3325), else Remote-Party-ID's calling
// party, else From. From anywhere else it is From as sent, a claim that
// may be shown but that the server must never dial back. A trunk's calling
// number rule rewrites whichever number was taken.
func (e *Endpoint) callerIdentity(req *sipmsg.Request) (number string, trusted bool) {
	from := ""
	if f := req.From(); f != nil {
		from = f.Address.User
	}
	src := sourceAddr(req)
	tr := e.trunkFor(src)
	trusted = e.guard.Trusted(src) || (tr != nil && tr.TrustedIdentity())
	if trusted {
		if n := sipheader.AssertedIdentity(req); n != "" {
			from = n
		}
	}
	if tr != nil {
		from = tr.CallingNumber(from)
	}
	return from, trusted
}
