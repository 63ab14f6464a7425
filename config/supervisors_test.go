package config

import (
	"strings"
	"testing"
	"time"
)

const supervisorBase = "numbers: {\"95598\": main}\nagents:\n  - {id: \"1001\", password: pw}\n"

func TestSupervisorsParse(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte(supervisorBase+
		"supervisors:\n  - {id: \"2001\", name: Zhang, password: s3cret, agents: [\"*\"]}\n"+
		"  - {id: \"2002\", password: s3cret, agents: [\"1001\"]}\n"+
		"monitor: {listen: \"*41\", ring_timeout: 10s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Supervisors) != 2 || cfg.Supervisors[0].SIPPassword() != "s3cret" {
		t.Fatalf("supervisors %+v", cfg.Supervisors)
	}
	if !cfg.Supervisors[0].MayMonitor("1001") || !cfg.Supervisors[1].MayMonitor("1001") || cfg.Supervisors[1].MayMonitor("1002") {
		t.Fatal("MayMonitor does not follow the agents list")
	}
	m := cfg.Monitor
	if m.Listen != "*41" || m.Whisper != "*32" || m.Barge != "*33" || m.RingTimeout != 10*time.Second {
		t.Fatalf("monitor %+v: the unset codes keep their defaults", m)
	}
}

func TestSupervisorErrors(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"bad id", "supervisors:\n  - {id: \"x\", password: p, agents: [\"*\"]}\n", `id "x": want 2 to 8 digits`},
		{"agent's id", "supervisors:\n  - {id: \"1001\", password: p, agents: [\"*\"]}\n", `id "1001" is also an agent's id`},
		{"twice", "supervisors:\n  - {id: \"2001\", password: p, agents: [\"*\"]}\n  - {id: \"2001\", password: p, agents: [\"*\"]}\n", `id "2001" used twice`},
		{"no password", "supervisors:\n  - {id: \"2001\", agents: [\"*\"]}\n", "password or password_env needed"},
		{"empty env", "supervisors:\n  - {id: \"2001\", password_env: HOTLINE_TEST_UNSET_SUPERVISOR_PW, agents: [\"*\"]}\n", "HOTLINE_TEST_UNSET_SUPERVISOR_PW is empty"},
		{"no agents", "supervisors:\n  - {id: \"2001\", password: p}\n", `agents: list agent ids, or "*" for all`},
		{"unknown agent", "supervisors:\n  - {id: \"2001\", password: p, agents: [\"1009\"]}\n", `unknown agent "1009"`},
		{"unknown key", "supervisors:\n  - {id: \"2001\", password: p, agents: [\"*\"], role: boss}\n", `unknown key "role"`},
		{"bad code", "monitor: {listen: \"31\"}\n", `monitor.listen "31": want * or # and 1 to 3 digits`},
		{"code clash", "monitor: {barge: \"*2\"}\n", `monitor.barge "*2" clashes with features.login "*21"`},
		{"codes share", "monitor: {whisper: \"*31\"}\n", `monitor.listen "*31" clashes with monitor.whisper "*31"`},
		{"ring timeout", "monitor: {ring_timeout: 0s}\n", "monitor.ring_timeout must be between 1s and 5m"},
	}
	for _, tc := range cases {
		_, err := Parse("f.yaml", []byte(supervisorBase+tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want it to contain %q", tc.name, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), "f.yaml:") {
			t.Errorf("%s: %v has no position", tc.name, err)
		}
	}
}
