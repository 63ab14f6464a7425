// Package guard decides who may talk to the SIP endpoint before any
// handler runs: per-source token buckets, bans after failed logins, a
// User-Agent deny list for scanners (Guard), digest authentication with
// signed nonces and replay protection (Authenticator), and the limits on
// new calls: call rate and process CPU (Overload). Guard and Authenticator
// share one bounded table of sources, so a ban made by the one is enforced
// by the other.
//
// It owns those decisions and the table. It must not answer requests or
// hold dialogs (the endpoint does, with the Verdict it gets), start
// goroutines, or read the clock except through the one it is given.
package guard
