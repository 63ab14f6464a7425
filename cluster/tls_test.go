package cluster

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testPKI writes a CA, a server certificate for 127.0.0.1 and a client
// certificate into dir, all PEM, and returns their paths by name.
func testPKI(t *testing.T, dir string) map[string]string {
	t.Helper()
	now := time.Now()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	paths := map[string]string{}
	write := func(name, typ string, der []byte) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	write("ca.pem", "CERTIFICATE", caDER)
	issue := func(name string, serial int64, usage x509.ExtKeyUsage, ips []net.IP) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{usage},
			KeyUsage: x509.KeyUsageDigitalSignature, IPAddresses: ips}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		write(name+".pem", "CERTIFICATE", der)
		write(name+"-key.pem", "EC PRIVATE KEY", keyDER)
	}
	issue("server", 2, x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1)})
	issue("node", 3, x509.ExtKeyUsageClientAuth, nil)
	return paths
}

// TestTLSToNATSWithClientCertificates: a NATS server of the test's own
// speaks only TLS and verifies clients. A node with the CA and its
// certificate connects and works; without its certificate, or without the
// CA, it gets a clear startup error.
func TestTLSToNATSWithClientCertificates(t *testing.T) {
	dir := t.TempDir()
	pki := testPKI(t, dir)
	addr := freeTCPAddr(t)
	startOwnNATS(t, addr, fmt.Sprintf("listen: %s\ntls { cert_file: %q\n key_file: %q\n ca_file: %q\n verify: true }\njetstream { store_dir: %q }\n",
		addr, pki["server.pem"], pki["server-key.pem"], pki["ca.pem"], filepath.Join(dir, "js")))
	ctx := context.Background()
	s := Settings{Node: "a", URLs: []string{"tls://" + addr}, Prefix: "hotline", LeaseTTL: time.Second,
		ConnectTimeout: 2 * time.Second, Log: testLog(t), CAFile: pki["ca.pem"], CertFile: pki["node.pem"], KeyFile: pki["node-key.pem"]}
	c, err := Connect(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	noCert := s
	noCert.CertFile, noCert.KeyFile = "", ""
	if _, err := Connect(ctx, noCert); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("connected without a client certificate: %v", err)
	}
	noCA := s
	noCA.CAFile = ""
	if _, err := Connect(ctx, noCA); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("connected without trusting the server's CA: %v", err)
	}
}
