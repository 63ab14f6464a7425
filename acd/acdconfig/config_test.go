package acdconfig_test

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/acd/acdconfig"
	"github.com/hotline-oss/hotline/acd/internal/acdtest"
)

func TestValidateAcceptsGoodConfig(t *testing.T) {
	if err := acdtest.ValidConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateJoinsAllProblems(t *testing.T) {
	cfg := acdtest.ValidConfig()
	cfg.Queues[0].Strategy = "x"
	cfg.Agents[0].Skills["billing"] = 0
	err := cfg.Validate()
	if n := strings.Count(err.Error(), "\n") + 1; n != 2 {
		t.Fatalf("want 2 problems, got %d: %v", n, err)
	}
}

func TestSplitTarget(t *testing.T) {
	for in, want := range map[string][2]string{
		"queue:complaints": {"queue", "complaints"},
		"ivr:main_menu":    {"ivr", "main_menu"},
		"ivr:":             {},
		"main":             {},
		"http:x":           {},
	} {
		kind, name, ok := acdconfig.SplitTarget(in)
		if [2]string{kind, name} != want || ok != (want[0] != "") {
			t.Fatalf("SplitTarget(%q) = %q %q %v", in, kind, name, ok)
		}
	}
}
