// Package sipheader reads and writes what SIP extension headers say: option
// tags (Require, Supported, Allow), session timers (RFC 4028: the
// negotiation, the headers and the waits), RAck (RFC 3262), the asserted
// caller identity (P-Asserted-Identity, Remote-Party-ID) and the chain of
// redirections (Diversion, History-Info).
//
// It owns parsing only: pure functions over sipgo messages, bounded
// against hostile input. It must not answer requests, keep dialog state
// or decide whom to trust; the endpoint does, with what it returns.
package sipheader
