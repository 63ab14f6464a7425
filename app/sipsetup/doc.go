// Package sipsetup turns the configuration into the SIP endpoint's
// settings: listeners and transports, limits, the guard's per-source rate
// limits, bans and overload limits, digest authentication, codecs offered
// to agents, session timers, each number's early media and SIP over TLS
// (loading or generating its certificate).
//
// What the running server supplies — hooks into the call path, password
// look-ups, metrics callbacks, trunks — app adds to what it returns. It
// must not open sockets, start the endpoint, or import app.
package sipsetup
