package config

import (
	"slices"
	"strings"
	"testing"
)

func TestAgentPanelPauseReasons(t *testing.T) {
	cfg, err := Parse(DemoName, Demo())
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.AgentPanel.Reasons(); !slices.Equal(got, DefaultPauseReasons()) {
		t.Errorf("demo pause reasons %v", got)
	}
	cfg, err = Parse("f.yaml", []byte("numbers: {\"1\": main}\nagent_panel:\n  pause_reasons: [lunch, coaching]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.AgentPanel.Reasons(); !slices.Equal(got, []string{"lunch", "coaching"}) {
		t.Errorf("configured reasons %v", got)
	}
	if got := (AgentPanel{}).Reasons(); !slices.Equal(got, DefaultPauseReasons()) {
		t.Errorf("default reasons %v", got)
	}
}

func TestAgentPanelPauseReasonsRefused(t *testing.T) {
	many := "[" + strings.Repeat("a,", 20) + "b]"
	for name, c := range map[string]struct{ reasons, want string }{
		"space":     {"[coffee break]", `f.yaml:3:19: agent_panel.pause_reasons[0] "coffee break": want a lower-case code`},
		"upper":     {"[Lunch]", `pause_reasons[0] "Lunch"`},
		"duplicate": {"[lunch, lunch]", `pause_reasons[1]: "lunch" listed twice`},
		"too many":  {many, "at most 20"},
	} {
		_, err := Parse("f.yaml", []byte("numbers: {\"1\": main}\nagent_panel:\n  pause_reasons: "+c.reasons+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}
