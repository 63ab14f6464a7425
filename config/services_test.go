package config

import (
	"strings"
	"testing"
	"time"
)

// servicesTestBase is the least a configuration needs besides services.
const servicesTestBase = "numbers: {\"1\": main}\n"

func TestServicesParseAndCheck(t *testing.T) {
	good := `
services:
  accounts: {url: builtin:demo}
  crm: {url: "https://crm.example.com/x", timeout: 3s, retries: 0, breaker: {failures: 2, cool_down: 10s}}
`
	cfg, err := Parse("s.yaml", []byte(servicesTestBase+good))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckServices(); err != nil {
		t.Fatal(err)
	}
	d := cfg.Services["accounts"].WithDefaults()
	if d.Timeout != DefaultServiceTimeout || *d.Retries != DefaultServiceRetries ||
		d.Breaker.Failures != DefaultBreakerFailures || d.Breaker.CoolDown != DefaultBreakerCoolDown {
		t.Errorf("defaults %+v", d)
	}
	crm := cfg.Services["crm"].WithDefaults()
	if *crm.Retries != 0 || crm.Timeout != 3*time.Second || crm.Breaker.Failures != 2 {
		t.Errorf("explicit values lost: %+v", crm)
	}

	bad := `
services:
  a: {url: "ftp://x"}
  b: {url: "https://x", timeout: 2m}
  c: {url: "https://x", retries: 9}
  d: {url: "https://x", secret_env: HOTLINE_TEST_UNSET_SECRET_ENV}
`
	cfg, err = Parse("s.yaml", []byte(servicesTestBase+bad))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.CheckServices()
	for _, want := range []string{"services.a: url", "services.b: timeout", "services.c: retries", "services.d: secret_env"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	if _, err := Parse("s.yaml", []byte(servicesTestBase+"services:\n  a: {url: builtin:demo, colour: red}\n")); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown key: %v", err)
	}
}
