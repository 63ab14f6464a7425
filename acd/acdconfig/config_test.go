package acdconfig

import (
	"strings"
	"testing"
	"time"
)

func TestValidateAcceptsGoodConfig(t *testing.T) {
	if err := validConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateJoinsAllProblems(t *testing.T) {
	cfg := validConfig()
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
		kind, name, ok := SplitTarget(in)
		if [2]string{kind, name} != want || ok != (want[0] != "") {
			t.Fatalf("SplitTarget(%q) = %q %q %v", in, kind, name, ok)
		}
	}
}
func validConfig() Config {
	billing := DefaultQueue("billing")
	billing.MaxWait = 5 * time.Minute
	billing.OverflowTarget = "queue:complaints"
	billing.AnnounceAgent = true
	return Config{
		Queues: []QueueConfig{billing, DefaultQueue("complaints")},
		Agents: []AgentConfig{
			{ID: "1001", WorkNumber: "1024", Skills: map[string]int{"billing": 7}, Queues: []string{"billing", "complaints"}},
		},
	}
}
