package app

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/sip/sipcert"
)

// tlsFixture is a throw-away self-signed certificate written to a
// temporary directory (no private key is ever committed), and the pool
// that trusts it.
type tlsFixture struct {
	certFile, keyFile string
	roots             *x509.CertPool
}

func newTLSFixture(t *testing.T) tlsFixture {
	t.Helper()
	cert, err := sipcert.SelfSignedCertificate([]string{"127.0.0.1", "localhost"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := sipcert.KeyPEM(cert)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := tlsFixture{certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem"), roots: x509.NewCertPool()}
	if err := os.WriteFile(f.certFile, sipcert.CertificatePEM(cert), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	f.roots.AddCert(cert.Leaf)
	return f
}

// withTLS turns on sip.tls with the fixture's files; numbers become
// secure-only, agents must be secure.
func (f tlsFixture) withTLS(numbers []string, agents ...string) func(*config.Config) {
	return func(cfg *config.Config) {
		cfg.SIP.TLS = &config.TLS{Listen: "127.0.0.1:0", CertFile: f.certFile, KeyFile: f.keyFile, SecureNumbers: numbers}
		for i := range cfg.Agents {
			for _, a := range agents {
				if cfg.Agents[i].ID == a {
					cfg.Agents[i].RequireSecure = true
				}
			}
		}
	}
}

// tlsPhone is a test phone on the server's TLS listener that verifies the
// server certificate; srtp makes it offer (and insist on) SRTP.
func (h *harness) tlsPhone(f tlsFixture, user, password string, srtp bool) *testphone.Phone {
	h.t.Helper()
	p, err := testphone.New(testphone.Config{
		Server: h.srv.SIPTLSAddr().String(), Transport: "tls", User: user, Password: password,
		TLS:  &tls.Config{RootCAs: f.roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12},
		SRTP: srtp,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = p.Close() })
	return p
}

func TestTLSSRTPCallerHearsIVRAndPressesDigits(t *testing.T) {
	f := newTLSFixture(t)
	h := start(t, acdTestConfig, f.withTLS([]string{"95598"}))
	c := h.dial(h.tlsPhone(f, "13800000001", "", true), "95598")
	if !c.SRTP() {
		t.Fatal("call did not negotiate SRTP")
	}
	id := c.CallID()
	h.events.waitNode(t, id, "menu")
	// The menu prompt (about 0.3 s) arrives encrypted; decrypted it is
	// speech.
	if err := c.WaitAudio(ctxT(t, 10*time.Second), 10); err != nil {
		t.Fatalf("caller hears the menu over SRTP: %v", err)
	}
	press(t, c, "1") // RFC 4733 over SRTP
	h.events.waitNode(t, id, "served")
	end := h.events.waitEnd(t, id)
	if end.Result == call.ResultFailed {
		t.Errorf("end %+v", end)
	}
	if n := c.SRTPAuthFailures(); n != 0 {
		t.Errorf("%d SRTP packets from the server failed authentication", n)
	}
}

func TestTLSSecureNumberRefusesPlainCalls(t *testing.T) {
	f := newTLSFixture(t)
	h := start(t, acdTestConfig, f.withTLS([]string{"95598"}))
	for _, tc := range []struct {
		name  string
		phone *testphone.Phone
		want  int
	}{
		{"UDP", h.phone("udp"), 403},
		{"TCP", h.phone("tcp"), 403},
		{"TLS without SRTP", h.tlsPhone(f, "13800000002", "", false), 488},
	} {
		_, err := tc.phone.Call(ctxT(t, 5*time.Second), "95598")
		var status *testphone.StatusError
		if !errors.As(err, &status) || status.Code != tc.want {
			t.Errorf("%s: err %v, want %d", tc.name, err, tc.want)
		}
	}
	if h.srv.ActiveCalls() != 0 {
		t.Fatalf("%d calls left", h.srv.ActiveCalls())
	}
}

func TestTLSSRTPQueueCallToSecureAgent(t *testing.T) {
	f := newTLSFixture(t)
	h := start(t, acdTestConfig, f.withTLS(nil, "1001"))

	// A secure agent cannot register over UDP.
	plain, err := testphone.New(testphone.Config{Server: h.srv.SIPAddr().String(), User: "1001", Password: "pw1001"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = plain.Close() })
	var status *testphone.StatusError
	if err := plain.Register(ctxT(t, 5*time.Second), "pw1001", time.Hour); !errors.As(err, &status) || status.Code != 403 {
		t.Fatalf("secure agent over UDP: %v", err)
	}

	agent := h.tlsPhone(f, "1001", "pw1001", true)
	if err := agent.Register(ctxT(t, 5*time.Second), "pw1001", time.Hour); err != nil {
		t.Fatalf("register over TLS: %v", err)
	}
	agent.SetAnswerMode(testphone.AutoAnswer)
	h.feature(agent, "*21")
	h.events.wait(t, "", "agent 1001 available", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "available"
	})

	caller := h.dial(h.tlsPhone(f, "13800000001", "", true), "95598")
	id := caller.CallID()
	h.events.waitNode(t, id, "menu")
	press(t, caller, "0")
	// The server reaches the agent over the agent's own TLS connection
	// and offers SRTP only; the phone refuses anything else.
	leg := waitIncoming(t, agent)
	if !leg.SRTP() || !caller.SRTP() {
		t.Fatalf("SRTP: agent leg %v, caller %v", leg.SRTP(), caller.SRTP())
	}
	h.events.wait(t, id, "agent answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	hearEachOther(t, caller, leg, "1001")

	// Hold and resume re-negotiate SRTP on the same keys.
	if err := leg.Hold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	h.events.wait(t, id, "held", func(e call.Event) bool { return e.Kind == call.Held })
	if err := leg.Unhold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("unhold: %v", err)
	}
	heard(t, leg, 25, "agent hears the caller after resume")

	agentHangsUp(t, h, caller, leg, id)
	for what, n := range map[string]uint64{"caller": caller.SRTPAuthFailures(), "agent": leg.SRTPAuthFailures()} {
		if n != 0 {
			t.Errorf("%s: %d SRTP packets failed authentication", what, n)
		}
	}
}

func TestTLSSelfSignedDemoCertificate(t *testing.T) {
	h := start(t, acdTestConfig, func(cfg *config.Config) {
		cfg.SIP.TLS = &config.TLS{Listen: "127.0.0.1:0", SelfSigned: true}
	})
	// Trust on first use, as a demo user would after comparing the
	// fingerprint the server logged.
	conn, err := tls.Dial("tcp", h.srv.SIPTLSAddr().String(), &tls.Config{InsecureSkipVerify: true}) // pinned below
	if err != nil {
		t.Fatal(err)
	}
	leaf := conn.ConnectionState().PeerCertificates[0]
	_ = conn.Close()
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Fatalf("generated certificate does not name the listen address: %v", err)
	}
	f := tlsFixture{roots: x509.NewCertPool()}
	f.roots.AddCert(leaf)
	c := h.dial(h.tlsPhone(f, "13800000003", "", true), "95598")
	if !c.SRTP() {
		t.Fatal("no SRTP")
	}
	h.events.waitNode(t, c.CallID(), "menu")
}
