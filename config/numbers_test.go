package config

import (
	"strings"
	"testing"
	"time"
)

func TestNumbersLongForm(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte("numbers:\n  \"1\": main\n  \"2\": {flow: care, early_media: free_notice}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Numbers["1"] != "main" || cfg.Numbers["2"] != "care" {
		t.Errorf("numbers %v", cfg.Numbers)
	}
	if got := cfg.NumberOptions["2"].EarlyMedia; got != "free_notice" {
		t.Errorf("early_media %q", got)
	}
	if _, ok := cfg.NumberOptions["1"]; ok {
		t.Error("short form got options")
	}
}

func TestNumbersLongFormErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"numbers:\n  \"2\": {early_media: x}\n", "f.yaml:2:8: numbers.2: the long form needs flow"},
		{"numbers:\n  \"2\": {flow: main, early: x}\n", "f.yaml:2:21: numbers.2: unknown key \"early\""},
		{"numbers:\n  \"2\": {flow: main, early_media: [a]}\n", "f.yaml:2:34: numbers.2.early_media: want a name"},
	} {
		_, err := Parse("f.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %s", tc.yaml, err, tc.want)
		}
	}
}

func TestSessionTimerConfig(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\n"))
	if err != nil {
		t.Fatal(err)
	}
	st := cfg.SIP.SessionTimer.WithDefaults()
	if !st.On() || st.MinSE != 90*time.Second || st.SessionExpires != 30*time.Minute {
		t.Errorf("defaults %+v", st)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"min_se: 30s", "f.yaml:4:5: sip.session_timer.min_se must be at least 90s"},
		{"min_se: 120s\n    session_expires: 100s", "sip.session_timer.session_expires must not be below min_se"},
	} {
		_, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\nsip:\n  session_timer:\n    "+tc.yaml+"\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %s", tc.yaml, err, tc.want)
		}
	}
}
