package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDemoParses(t *testing.T) {
	cfg, err := Parse(DemoName, Demo())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SIP.Listen != "127.0.0.1:5060" || cfg.HTTP.Listen != "127.0.0.1:8080" {
		t.Errorf("demo must bind loopback: sip %s http %s", cfg.SIP.Listen, cfg.HTTP.Listen)
	}
	if cfg.Numbers["95598"] != "main" || cfg.DefaultLanguage != "zh" {
		t.Errorf("demo numbers %v, language %s", cfg.Numbers, cfg.DefaultLanguage)
	}
	if cfg.RTP.InactivityTimeout != 30*time.Second || cfg.ShutdownGrace != 30*time.Second {
		t.Errorf("timeouts %v %v", cfg.RTP.InactivityTimeout, cfg.ShutdownGrace)
	}
	if cfg.Flows.IsZero() || cfg.Calendars.IsZero() {
		t.Error("demo has flows and calendars")
	}
}

func TestErrorsNameFileLineAndReason(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown top-level key", "numbers: {\"1\": main}\nflowz: {}\n", "f.yaml:2:1: config: unknown key \"flowz\""},
		{"unknown nested key", "numbers: {\"1\": main}\nsip:\n  listen: 127.0.0.1:5060\n  max_call: 3\n", "f.yaml:4:3: config.sip: unknown key \"max_call\""},
		{"bad duration", "numbers: {\"1\": main}\nrtp:\n  inactivity_timeout: soon\n", "f.yaml:3:"},
		{"bad listen", "numbers: {\"1\": main}\nsip:\n  listen: nowhere\n", "f.yaml:3:3: sip.listen \"nowhere\": want IP:port"},
		{"odd rtp port", "numbers: {\"1\": main}\nrtp:\n  ports: 10001-20000\n", "f.yaml:3:3: rtp.ports: \"10001-20000\": LOW must be even"},
		{"no numbers", "sip:\n  max_calls: 3\n", "f.yaml: numbers: at least one hotline number"},
		{"default language not offered", "numbers: {\"1\": main}\nlanguages: [en]\n", "default_language \"zh\" is not in languages"},
		{"syntax", "numbers: {\"1\": main\n", "f.yaml:"},
		{"not a mapping", "- a\n- b\n", "f.yaml:1:1: the configuration must be a mapping"},
		{"bad transport", "numbers: {\"1\": main}\nsip:\n  transports: [sctp]\n", "sip.transports: \"sctp\" is not supported"},
	}
	for _, tc := range cases {
		_, err := Parse("f.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestPosErrorCarriesPosition(t *testing.T) {
	_, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\nhttp:\n  listen: x\n"))
	var pe *PosError
	if !errors.As(err, &pe) || pe.Line != 3 || pe.File != "f.yaml" {
		t.Fatalf("got %#v", err)
	}
}

func TestOverrideFlags(t *testing.T) {
	cfg, err := Parse(DemoName, Demo())
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Apply(Override{SIPListen: "127.0.0.1:5070", HTTPListen: "127.0.0.1:0", RTPPorts: "30000-30100", DataDir: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SIP.Listen != "127.0.0.1:5070" || cfg.RTP.Ports != "30000-30100" || cfg.DataDir != "d" {
		t.Errorf("not applied: %+v", cfg)
	}
	if err := cfg.Apply(Override{RTPPorts: "5-3"}); err == nil {
		t.Error("a bad -rtp-ports must be refused")
	}
}

func TestParsePortRange(t *testing.T) {
	if lo, hi, err := ParsePortRange("20000-39999"); err != nil || lo != 20000 || hi != 39999 {
		t.Fatalf("%d %d %v", lo, hi, err)
	}
	for _, bad := range []string{"", "20000", "a-b", "100-200", "30000-20000", "20001-30000", "20000-70000"} {
		if _, _, err := ParsePortRange(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
