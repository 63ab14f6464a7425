package sip

import (
	"net/netip"

	sipmsg "github.com/emiago/sipgo/sip"
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
// user part, rewritten by the trunk the call came through; when the call
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
	number := norm(req.Recipient.User)
	if tr == nil && !e.guard.trusted(src) {
		return number
	}
	for _, orig := range redirectedFrom(req) {
		if n := norm(orig); n == number || e.cfg.IsHotline(n) {
			return n
		}
	}
	return number
}
