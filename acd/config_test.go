package acd

import (
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/acdconfig"
	"github.com/hotline-oss/hotline/acd/internal/acdtest"
	"github.com/hotline-oss/hotline/acd/strategy"
)

func TestValidateReportsEachProblem(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"unknown strategy", func(c *Config) { c.Queues[0].Strategy = "loudest" }, `queue billing: unknown strategy "loudest"`},
		{"unknown agent queue", func(c *Config) { c.Agents[0].Queues = append(c.Agents[0].Queues, "water") }, `agent 1001: unknown queue "water"`},
		{"skill level high", func(c *Config) { c.Agents[0].Skills["billing"] = 11 }, `agent 1001: skill "billing": level 11 outside 1..10`},
		{"required level low", func(c *Config) { c.Queues[1].RequiredSkills = map[string]int{"x": 0} }, `queue complaints: required skill "x": level 0 outside 1..10`},
		{"duplicate queue", func(c *Config) { c.Queues[1].Name = "billing" }, "queue billing: defined twice"},
		{"duplicate agent", func(c *Config) { c.Agents = append(c.Agents, c.Agents[0]) }, "agent 1001: defined twice"},
		{"empty agent id", func(c *Config) { c.Agents[0].ID = "" }, "agent #1: empty id"},
		{"join empty", func(c *Config) { c.Queues[0].JoinEmpty = "maybe" }, `join_empty "maybe"`},
		{"negative wrap-up", func(c *Config) { c.Queues[0].WrapUp = -time.Second }, "queue billing: wrap-up -1s is negative"},
		{"negative max waiting", func(c *Config) { c.Queues[0].MaxWaiting = -1 }, "max waiting -1 is negative"},
		{"max wait without target", func(c *Config) { c.Queues[0].OverflowTarget = "" }, "max wait is set but no overflow target"},
		{"bad target", func(c *Config) { c.Queues[0].OverflowTarget = "sip:123" }, `overflow target "sip:123" is not`},
		{"unknown target queue", func(c *Config) { c.Queues[0].OverflowTarget = "queue:water" }, `overflow target: unknown queue "water"`},
		{"self overflow", func(c *Config) { c.Queues[0].OverflowTarget = "queue:billing" }, "overflow target is the queue itself"},
		{"skills-based without skills", func(c *Config) { c.Queues[1].Strategy = strategy.SkillsBased }, "needs required skills"},
		{"announced agent without number", func(c *Config) { c.Agents[0].WorkNumber = "" }, "announces agents but the agent has no work number"},
		{"agent lists queue twice", func(c *Config) { c.Agents[0].Queues = []string{"billing", "billing"} }, `queue "billing" listed twice`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := acdtest.ValidConfig()
			tc.mutate(&cfg)
			err := cfg.Validate()
			wantErr(t, err, ErrInvalidConfig)
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
			if _, err := New(cfg, &fakeClock{t: epoch}); err == nil {
				t.Fatal("New accepted an invalid config")
			}
		})
	}
}

func TestDefaultsApply(t *testing.T) {
	q := DefaultQueue("q")
	if q.RingTimeout != 15*time.Second || q.WrapUp != 30*time.Second || q.AutoPauseAfter != 3 ||
		q.BusyBackoff != 10*time.Second || q.AnnounceEvery != 30*time.Second || q.ServiceLevel != 20*time.Second ||
		q.Strategy != strategy.LongestIdle || q.JoinEmpty != acdconfig.JoinEmptyWait {
		t.Fatalf("defaults %+v", q)
	}
	// A bare queue gets the defaults whose zero means nothing.
	h := newHarness(t, team(QueueConfig{Name: "bare"}, 1))
	h.login("1001")
	acts := h.ok(h.acd.Enqueue("c1", "bare", "", 0))
	if os := offers(acts); len(os) != 1 || os[0].Timeout != acdconfig.DefaultRingTimeout {
		t.Fatalf("offers %+v", os)
	}
	if s, _ := h.acd.QueueStats("bare"); s.ServiceLevel != acdconfig.DefaultServiceLevel {
		t.Fatalf("service level %v", s.ServiceLevel)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	if _, err := New(acdtest.ValidConfig(), nil); err == nil {
		t.Fatal("nil clock accepted")
	}
	if _, err := New(acdtest.ValidConfig(), &fakeClock{}, WithRandSource(nil)); err == nil {
		t.Fatal("nil random source accepted")
	}
}
