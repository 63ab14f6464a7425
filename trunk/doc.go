// Package trunk owns the carrier and provider interconnects of the
// configuration's trunks: which source addresses belong to which trunk
// (hostnames re-resolved now and then), whether their caller identity is
// believed, how numbers are rewritten across each trunk, the OPTIONS
// health of each trunk, its outbound registration, and the order in which
// calls out try the trunks that are up.
//
// It speaks SIP only through the sip package's endpoint (Ping, Register,
// and the routes it hands to callout.Callbacks). It must not decide who may
// be dialled (that is dialpolicy and the callback feature), nor log a
// password or a caller's number in clear.
package trunk
