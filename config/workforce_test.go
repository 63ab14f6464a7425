package config

import (
	"strings"
	"testing"
	"time"
)

func TestWorkforceDefaultsAndActivities(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte(supervisorBase+"workforce:\n  alert_after: 0s\n  activities:\n    break: [break, lunch]\n"))
	if err != nil {
		t.Fatal(err)
	}
	w := cfg.WorkforceRules()
	if w.AdherenceTarget != 0.92 || w.LateLoginAfter != 5*time.Minute || w.EarlyLogoutBefore != 5*time.Minute || *w.AlertAfter != 0 {
		t.Errorf("rules = %+v", w)
	}
	// Every pause reason is an activity of its own; break takes lunch too.
	if got := w.Activities["break"]; len(got) != 2 || got[1] != "lunch" {
		t.Errorf("break = %v", got)
	}
	if got := w.Activities["training"]; len(got) != 1 || got[0] != "training" {
		t.Errorf("training = %v", got)
	}
	plain, err := Parse("f.yaml", []byte(supervisorBase))
	if err != nil {
		t.Fatal(err)
	}
	if *plain.WorkforceRules().AlertAfter != 10*time.Minute {
		t.Errorf("alert_after default = %v", *plain.WorkforceRules().AlertAfter)
	}
}

func TestWorkforceErrors(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"workforce: {adherence_target: 92}\n", "f.yaml:4:13: workforce.adherence_target 92: want a ratio between 0 and 1"},
		{"workforce: {late_login_after: -1m}\n", "workforce.late_login_after -1m0s: want between 0s and 4h"},
		{"workforce: {alert_after: 5s}\n", "workforce.alert_after 5s: want 0 (off) or at least 30s"},
		{"workforce: {activities: {phones: [break]}}\n", `"phones" is built in`},
		{"workforce: {activities: {Break: [break]}}\n", `"Break": want a lower-case code`},
		{"workforce: {activities: {coffee: []}}\n", "workforce.activities.coffee: at least one pause reason"},
		{"workforce: {activities: {coffee: [espresso]}}\n", `"espresso" is not one of agent_panel.pause_reasons`},
		{"workforce: {colour: red}\n", `unknown key "colour"`},
	} {
		_, err := Parse("f.yaml", []byte(supervisorBase+c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.want)
		}
	}
}
