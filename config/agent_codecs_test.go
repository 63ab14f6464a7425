package config

import (
	"strings"
	"testing"
)

func TestAgentCodecs(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\nrtp:\n  agent_codecs: [g722, PCMU, pcma]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.RTP.AgentCodecs, ","); got != "g722,PCMU,pcma" {
		t.Fatalf("agent_codecs %s", got)
	}
	if def := Default(); len(def.RTP.AgentCodecs) != 0 {
		t.Fatalf("default agent_codecs %v, want none (the callers' codecs)", def.RTP.AgentCodecs)
	}
	cases := []struct{ name, yaml, want string }{
		{"unknown", "  agent_codecs: [PCMU, opus]\n", `f.yaml:3:24: rtp.agent_codecs[1]: unknown codec "opus" (want PCMU, PCMA, G722)`},
		{"twice", "  agent_codecs: [G722, PCMU, g722]\n", "f.yaml:3:30: rtp.agent_codecs[2]: G722 is listed twice"},
		{"no G.711 fallback", "  agent_codecs: [G722]\n", "rtp.agent_codecs: list PCMU or PCMA too"},
	}
	for _, tc := range cases {
		_, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\nrtp:\n"+tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}
