package config

import (
	"strings"
	"testing"
	"time"
)

func TestTCPIdleTimeout(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SIP.TCPIdleTimeout != 10*time.Minute {
		t.Errorf("default tcp_idle_timeout %v, want 10m", cfg.SIP.TCPIdleTimeout)
	}
	cfg, err = Parse("f.yaml", []byte("numbers: {\"1\": main}\nsip:\n  tcp_idle_timeout: 90s\n"))
	if err != nil || cfg.SIP.TCPIdleTimeout != 90*time.Second {
		t.Fatalf("tcp_idle_timeout 90s: %v %v", cfg, err)
	}
	for _, bad := range []string{"0s", "500ms", "-1m", "25h"} {
		_, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\nsip:\n  tcp_idle_timeout: "+bad+"\n"))
		if err == nil || !strings.Contains(err.Error(), "f.yaml:3:3: sip.tcp_idle_timeout must be between 1s and 24h") {
			t.Errorf("tcp_idle_timeout %s: got %v", bad, err)
		}
	}
}
