package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeKeyPair writes a throw-away self-signed pair for the test.
func writeKeyPair(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestTLSConfig(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	yaml := "numbers: {\"95598\": main, \"95599\": main}\n" +
		"sip:\n  tls:\n    listen: 127.0.0.1:5061\n    cert_file: " + certFile + "\n    key_file: " + keyFile +
		"\n    min_version: \"1.3\"\n    secure_numbers: [\"95599\"]\n" +
		"agents:\n  - {id: \"1001\", password: pw, require_secure: true}\n"
	cfg, err := Parse("f.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SIP.TLS.TLSVersion() != tls.VersionTLS13 || !cfg.IsSecureNumber("95599") || cfg.IsSecureNumber("95598") {
		t.Fatalf("tls %+v", cfg.SIP.TLS)
	}
	if !cfg.Agents[0].RequireSecure {
		t.Fatal("require_secure not read")
	}
	if _, ok, err := cfg.SIP.TLS.LoadCertificate(); !ok || err != nil {
		t.Fatalf("certificate: %v %v", ok, err)
	}

	demo, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\nsip:\n  tls: {listen: \"127.0.0.1:0\", self_signed: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := demo.SIP.TLS.LoadCertificate(); ok || err != nil {
		t.Fatalf("self_signed without files: ok=%v err=%v", ok, err)
	}
	if demo.SIP.TLS.TLSVersion() != tls.VersionTLS12 {
		t.Fatal("default minimum is TLS 1.2")
	}
	plain, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\n"))
	if err != nil || plain.SIP.TLS != nil || plain.IsSecureNumber("1") {
		t.Fatalf("TLS is off by default: %v", err)
	}
}

func TestTLSConfigErrors(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	missing := filepath.Join(t.TempDir(), "nope.pem")
	head := "numbers: {\"95598\": main}\nsip:\n  tls:\n"
	cases := []struct{ name, yaml, want string }{
		{"bad listen", head + "    listen: nowhere\n    self_signed: true\n", "f.yaml:4:13: sip.tls.listen \"nowhere\": want IP:port"},
		{"no certificate", head + "    listen: 127.0.0.1:5061\n", "f.yaml:4:5: sip.tls: cert_file and key_file are needed"},
		{"cert without key", head + "    listen: 127.0.0.1:5061\n    cert_file: " + certFile + "\n", "cert_file and key_file go together"},
		{"missing file", head + "    listen: 127.0.0.1:5061\n    cert_file: " + missing + "\n    key_file: " + keyFile + "\n",
			"f.yaml:5:16: sip.tls: cert_file \"" + missing + "\""},
		{"key is not a key", head + "    listen: 127.0.0.1:5061\n    cert_file: " + certFile + "\n    key_file: " + certFile + "\n", "f.yaml:5:16:"},
		{"old version", head + "    listen: 127.0.0.1:5061\n    self_signed: true\n    min_version: \"1.0\"\n", "f.yaml:6:18: sip.tls.min_version \"1.0\": want 1.2 or 1.3"},
		{"unknown secure number", head + "    listen: 127.0.0.1:5061\n    self_signed: true\n    secure_numbers: [\"110\"]\n", "sip.tls.secure_numbers: \"110\" is not a hotline number"},
		{"unknown key", head + "    listen: 127.0.0.1:5061\n    self_signed: true\n    verify_client: true\n", "f.yaml:6:5: config.sip.tls: unknown key \"verify_client\""},
		{"secure agent without tls", "numbers: {\"95598\": main}\nagents:\n  - {id: \"1001\", password: pw, require_secure: true}\n", "require_secure needs sip.tls"},
	}
	for _, tc := range cases {
		_, err := Parse("f.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
