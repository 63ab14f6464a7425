package app

import (
	"crypto/tls"
	"fmt"
	"net/netip"

	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/sipcert"
)

// tlsConfig turns sip.tls into the endpoint's TLS settings; nil when TLS
// is off. A self-signed certificate is generated here when asked for, and
// its fingerprint logged so that phones can pin it.
func (s *Server) tlsConfig() (*sip.TLSConfig, error) {
	t := s.cfg.SIP.TLS
	if t == nil {
		return nil, nil
	}
	listen, err := netip.ParseAddrPort(t.Listen)
	if err != nil {
		return nil, fmt.Errorf("sip.tls.listen: %w", err)
	}
	cert, ok, err := t.LoadCertificate()
	if err != nil {
		return nil, err
	}
	if !ok {
		host := listen.Addr().String()
		if s.cfg.SIP.Advertise != "" {
			host = s.cfg.SIP.Advertise
		}
		if cert, err = sipcert.SelfSignedCertificate([]string{host, "localhost"}, s.clock.Now()); err != nil {
			return nil, err
		}
		s.log.Warn("sip tls: using an ephemeral self-signed certificate (demo only)",
			"sha256", sipcert.Fingerprint(cert))
	} else {
		s.log.Info("sip tls certificate loaded", "file", t.CertFile, "sha256", sipcert.Fingerprint(cert))
	}
	secureAgents := map[string]bool{}
	for _, a := range s.cfg.Agents {
		if a.RequireSecure {
			secureAgents[a.ID] = true
		}
	}
	return &sip.TLSConfig{
		Listen:              listen,
		Certificates:        []tls.Certificate{cert},
		MinVersion:          t.TLSVersion(),
		SecureNumber:        s.cfg.IsSecureNumber,
		AgentRequiresSecure: func(user string) bool { return secureAgents[user] },
	}, nil
}

// SIPTLSAddr is the bound SIP-over-TLS address; invalid when TLS is off.
func (s *Server) SIPTLSAddr() netip.AddrPort { return s.sip.TLSAddr() }
