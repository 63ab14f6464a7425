package sipsetup

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/sipcert"
)

// TLS turns sip.tls into the endpoint's TLS settings; nil when TLS is
// off. A self-signed certificate (valid from now) is generated here when
// asked for, and its fingerprint logged so that phones can pin it.
func TLS(cfg *config.Config, now time.Time, log *slog.Logger) (*sip.TLSConfig, error) {
	t := cfg.SIP.TLS
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
		if cfg.SIP.Advertise != "" {
			host = cfg.SIP.Advertise
		}
		if cert, err = sipcert.SelfSignedCertificate([]string{host, "localhost"}, now); err != nil {
			return nil, err
		}
		log.Warn("sip tls: using an ephemeral self-signed certificate (demo only)",
			"sha256", sipcert.Fingerprint(cert))
	} else {
		log.Info("sip tls certificate loaded", "file", t.CertFile, "sha256", sipcert.Fingerprint(cert))
	}
	secureAgents := map[string]bool{}
	for _, a := range cfg.Agents {
		if a.RequireSecure {
			secureAgents[a.ID] = true
		}
	}
	return &sip.TLSConfig{
		Listen:              listen,
		Certificates:        []tls.Certificate{cert},
		MinVersion:          t.TLSVersion(),
		SecureNumber:        cfg.IsSecureNumber,
		AgentRequiresSecure: func(user string) bool { return secureAgents[user] },
	}, nil
}
