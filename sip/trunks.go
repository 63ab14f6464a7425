package sip

import (
	"net/netip"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/sipheader"
)

// InboundTrunk is what the endpoint needs to know about the trunk a
// request came from (package trunk implements it).
type InboundTrunk interface {
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
	TrunkFor(src netip.Addr) (InboundTrunk, bool)
}

// trunkFor is the trunk src belongs to, or nil.
func (e *Endpoint) trunkFor(src netip.Addr) InboundTrunk {
	if e.cfg.Trunks == nil {
		return nil
	}
	if t, ok := e.cfg.Trunks.TrunkFor(src); ok {
		return t
	}
	return nil
}

// calledNumber is the number a call is routed by. It is the Request-URI's
// user part (To's, when a provider calls our registered contact),
// rewritten by the trunk the call came through; when the call
// was forwarded (History-Info, Diversion) and came from a trunk or a
// trusted network, the earliest number of the forwarding chain that is one
// of ours wins, so a call forwarded from a regional number runs that
// number's flow. A stranger's forwarding headers are ignored: they would
// let anyone pick a flow.
func (e *Endpoint) calledNumber(req *sipmsg.Request) string {
	src := sourceAddr(req)
	tr := e.trunkFor(src)
	norm := func(n string) string {
		if tr != nil {
			return tr.CalledNumber(n)
		}
		return n
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
	if tr == nil && !e.guard.Trusted(src) {
		return number
	}
	for _, orig := range sipheader.RedirectedFrom(req) {
		if n := norm(orig); n == number || e.cfg.IsHotline(n) {
			return n
		}
	}
	return number
}
