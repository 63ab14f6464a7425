// Package guardconf is the part of the sip section that guards the
// server: the overload limits on new calls (max_calls_per_second,
// max_cpu_percent, retry_after), sip.security (trusted networks, per-source
// rate limits, scanners, failed logins and bans) and max_contacts, their
// defaults and their checks. sip/guard and the registrar enforce them.
//
// It owns what those keys mean and when they are wrong, as "key: reason"
// relative to sip. Package config reads the file and places each reason at
// its file and line.
//
// It must not read files, open sockets, or import config.
package guardconf
