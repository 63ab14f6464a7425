package sip

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
)

// transportTLS is how sipgo spells the TLS transport in requests.
const transportTLS = "TLS"

// TLSConfig turns on SIP over TLS and the policies that go with it.
type TLSConfig struct {
	Listen netip.AddrPort // ":0" port: the OS picks one (see TLSAddr)
	// Certificates and MinVersion are used; the rest of the listener's
	// tls.Config is ours.
	Certificates []tls.Certificate
	MinVersion   uint16
	// SecureNumber reports hotline numbers that accept only TLS + SRTP.
	SecureNumber func(number string) bool
	// AgentRequiresSecure reports agents that must register over TLS and
	// whose calls are offered SRTP only.
	AgentRequiresSecure func(user string) bool
}

// listenTLS binds the TLS listener; called from Start.
func (e *Endpoint) listenTLS() error {
	c := e.cfg.TLS
	if c == nil {
		return nil
	}
	if len(c.Certificates) == 0 {
		return errors.New("sip: tls: no certificate")
	}
	minVersion := c.MinVersion
	if minVersion < tls.VersionTLS12 {
		minVersion = tls.VersionTLS12
	}
	conf := &tls.Config{Certificates: c.Certificates, MinVersion: minVersion}
	ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(c.Listen))
	if err != nil {
		return fmt.Errorf("sip: listen tls %s: %w", c.Listen, err)
	}
	e.tlsAddr = ln.Addr().(*net.TCPAddr).AddrPort()
	e.tls = tls.NewListener(ln, conf)
	return nil
}

// serveTLS serves the TLS listener once the stack is built. In-dialog
// requests of TLS dialogs must come back over TLS, so those dialogs carry
// a Contact with transport=tls and the TLS port.
func (e *Endpoint) serveTLS() {
	if e.tls == nil {
		return
	}
	e.tlsDlgUA = &sipgo.DialogUA{
		Client: e.dlgUA.Client,
		ContactHDR: sipmsg.ContactHeader{Address: sipmsg.Uri{
			Host: e.contactHost().String(), Port: int(e.tlsAddr.Port()),
			UriParams: sipmsg.HeaderParams{{K: "transport", V: "tls"}},
		}},
		RewriteContact: e.dlgUA.RewriteContact,
	}
	e.serve.Add(1)
	go func() { defer e.serve.Done(); _ = e.server.ServeTLS(e.tls) }()
	e.log.Info("sip tls listening", "addr", e.tlsAddr.String())
}

// TLSAddr is the bound TLS address; invalid when TLS is off.
func (e *Endpoint) TLSAddr() netip.AddrPort { return e.tlsAddr }

// dialogUA returns the dialog user agent for a transport, so that the
// Contact we put in a dialog names the transport it runs on.
func (e *Endpoint) dialogUA(transport string) *sipgo.DialogUA {
	if e.tlsDlgUA != nil && sipmsg.NetworkToLower(transport) == "tls" {
		return e.tlsDlgUA
	}
	return e.dlgUA
}

func (e *Endpoint) secureNumber(number string) bool {
	return e.cfg.TLS != nil && e.cfg.TLS.SecureNumber != nil && e.cfg.TLS.SecureNumber(number)
}

func (e *Endpoint) agentRequiresSecure(user string) bool {
	return e.cfg.TLS != nil && e.cfg.TLS.AgentRequiresSecure != nil && e.cfg.TLS.AgentRequiresSecure(user)
}
