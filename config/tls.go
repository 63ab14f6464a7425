package config

import (
	"crypto/tls"
	"fmt"
	"net/netip"

	"gopkg.in/yaml.v3"
)

// TLS turns on SIP over TLS (sip.tls). Absent: no TLS listener.
type TLS struct {
	Listen     string `yaml:"listen"`      // IP:port of the TLS listener, e.g. 127.0.0.1:5061
	CertFile   string `yaml:"cert_file"`   // PEM certificate chain
	KeyFile    string `yaml:"key_file"`    // PEM private key
	MinVersion string `yaml:"min_version"` // "1.2" (default) or "1.3"
	// SelfSigned generates an ephemeral self-signed certificate at startup
	// when no cert_file/key_file is given: for demos and lab tests only.
	SelfSigned bool `yaml:"self_signed"`
	// SecureNumbers are hotline numbers that accept only calls over TLS
	// with SRTP media; anything else is refused (403 or 488).
	SecureNumbers []string `yaml:"secure_numbers"`
}

// TLSVersion returns the tls package constant for MinVersion.
func (t *TLS) TLSVersion() uint16 {
	if t.MinVersion == "1.3" {
		return tls.VersionTLS13
	}
	return tls.VersionTLS12
}

// LoadCertificate reads the configured key pair. With self_signed and no
// files it returns ok=false: the caller generates one.
func (t *TLS) LoadCertificate() (cert tls.Certificate, ok bool, err error) {
	if t.CertFile == "" && t.KeyFile == "" && t.SelfSigned {
		return tls.Certificate{}, false, nil
	}
	cert, err = tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return tls.Certificate{}, false, fmt.Errorf("sip.tls: cert_file %q / key_file %q: %w", t.CertFile, t.KeyFile, err)
	}
	return cert, true, nil
}

// IsSecureNumber reports whether number accepts only TLS + SRTP calls.
func (c *Config) IsSecureNumber(number string) bool {
	if c.SIP.TLS == nil {
		return false
	}
	for _, n := range c.SIP.TLS.SecureNumbers {
		if n == number {
			return true
		}
	}
	return false
}

// tlsNode finds sip.tls (or a key under it) for error positions.
func (c *Config) tlsNode(key string) *yaml.Node {
	n := childNode(c.pos["sip"], "tls")
	if key == "" || n == nil {
		return n
	}
	if k := childNode(n, key); k != nil {
		return k
	}
	return n
}

func childNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (c *Config) tlsErr(key, format string, args ...any) error {
	n := c.tlsNode(key)
	if n == nil {
		n = c.pos["sip"]
	}
	return posErr(c.File, n, format, args...)
}

func (c *Config) validateTLS() []error {
	var errs []error
	secureAgents := 0
	for _, a := range c.Agents {
		if a.RequireSecure {
			secureAgents++
		}
	}
	t := c.SIP.TLS
	if t == nil {
		if secureAgents > 0 {
			errs = append(errs, c.Errorf("agents", "agents: require_secure needs sip.tls to be configured"))
		}
		return errs
	}
	if _, err := netip.ParseAddrPort(t.Listen); err != nil {
		errs = append(errs, c.tlsErr("listen", "sip.tls.listen %q: want IP:port", t.Listen))
	}
	switch t.MinVersion {
	case "", "1.2", "1.3":
	default:
		errs = append(errs, c.tlsErr("min_version", "sip.tls.min_version %q: want 1.2 or 1.3", t.MinVersion))
	}
	switch {
	case t.CertFile == "" && t.KeyFile == "" && !t.SelfSigned:
		errs = append(errs, c.tlsErr("", "sip.tls: cert_file and key_file are needed (or self_signed: true for a demo)"))
	case t.CertFile == "" && t.KeyFile == "":
		// self_signed: generated at startup
	case t.CertFile == "" || t.KeyFile == "":
		errs = append(errs, c.tlsErr("", "sip.tls: cert_file and key_file go together"))
	default:
		if _, _, err := t.LoadCertificate(); err != nil {
			errs = append(errs, c.tlsErr("cert_file", "%v", err))
		}
	}
	for _, n := range t.SecureNumbers {
		if _, ok := c.Numbers[n]; !ok {
			errs = append(errs, c.tlsErr("secure_numbers", "sip.tls.secure_numbers: %q is not a hotline number", n))
		}
	}
	return errs
}
