// Package sipcert makes and encodes the certificates of the SIP-over-TLS
// listener: an ephemeral self-signed one for demos and tests, PEM for a
// phone's CA file, and the fingerprint phones display.
//
// It owns these helpers only. It must not listen, read configuration or
// log a private key.
package sipcert
