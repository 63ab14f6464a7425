package sip

import (
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

// t1 is RFC 3261's round-trip estimate; every SIP timer derives from it.
func (e *Endpoint) t1() time.Duration {
	if e.cfg.T1 > 0 {
		return e.cfg.T1
	}
	return sipmsg.T1
}

// transactionTimeout is 64*T1: how long we wait for the ACK of a 2xx
// (RFC 3261 section 13.3.1.4, Timer L of RFC 6026) and for the answer to a
// request we send (Timer B for an INVITE, Timer F for a BYE).
func (e *Endpoint) transactionTimeout() time.Duration { return 64 * e.t1() }
