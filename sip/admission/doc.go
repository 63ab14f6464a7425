// Package admission decides, for an INVITE out of a dialog, whether it may
// become a call before the endpoint spends anything on it: the number it
// is routed by (a trunk's number rules, forwarding from a trusted side),
// who may call that number (anyone for a hotline number, an authenticated
// agent for an internal one, nobody for anything else: the server never
// relays), where an agent's consult call belongs in a cluster (302),
// whether a request that had to come over TLS did (a secure number, a
// secure agent's REGISTER), the extensions an INVITE requires, who is
// calling (an identity believed only from the carrier side), and whether
// a channel is free (draining, sip.max_calls, the overload limits).
//
// It owns those decisions and the count of channels taken. It must not
// import package sip, read the dialog or the media of a call, publish
// events or count refusals; it answers a request only through Host, the
// endpoint as it sees it, which also checks digest credentials and
// answers a session timer it refuses.
package admission
