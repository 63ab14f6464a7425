package acdconfig

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/acd/strategy"
)

// ErrInvalidConfig: Validate found a problem. The ACD reports it as its
// own ErrInvalidConfig.
var ErrInvalidConfig = errors.New("invalid configuration")

// Validate reports every problem in the configuration at once, each as an
// error wrapping ErrInvalidConfig, joined in configuration order.
func (c Config) Validate() error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("acd: "+format+": %w", append(args, ErrInvalidConfig)...))
	}
	queues := make(map[string]bool, len(c.Queues))
	for i, q := range c.Queues {
		switch {
		case q.Name == "":
			fail("queue #%d: empty name", i+1)
		case queues[q.Name]:
			fail("queue %s: defined twice", q.Name)
		}
		queues[q.Name] = true
	}
	for _, q := range c.Queues {
		validateQueue(q, queues, fail)
	}
	agents := make(map[string]bool, len(c.Agents))
	for i, a := range c.Agents {
		validateAgent(i, a, agents, queues, fail)
	}
	validateAnnounced(c, fail)
	return errors.Join(errs...)
}

func validateQueue(q QueueConfig, queues map[string]bool, fail func(string, ...any)) {
	where := "queue " + q.Name
	if q.Strategy != "" && !slices.Contains(strategy.Names, q.Strategy) {
		fail("%s: unknown strategy %q (known: %s)", where, q.Strategy, strings.Join(strategy.Names, ", "))
	}
	if q.JoinEmpty != "" && q.JoinEmpty != JoinEmptyWait && q.JoinEmpty != JoinEmptyReject {
		fail("%s: join_empty %q is neither %q nor %q", where, q.JoinEmpty, JoinEmptyWait, JoinEmptyReject)
	}
	validateSkills(where+": required skill", q.RequiredSkills, fail)
	if q.Strategy == strategy.SkillsBased && len(q.RequiredSkills) == 0 {
		fail("%s: strategy %s needs required skills", where, strategy.SkillsBased)
	}
	if q.MaxWaiting < 0 {
		fail("%s: max waiting %d is negative", where, q.MaxWaiting)
	}
	if q.AutoPauseAfter < 0 {
		fail("%s: auto-pause after %d no-answers is negative", where, q.AutoPauseAfter)
	}
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"max wait", q.MaxWait}, {"ring timeout", q.RingTimeout}, {"wrap-up", q.WrapUp},
		{"busy backoff", q.BusyBackoff}, {"announce every", q.AnnounceEvery},
		{"service level", q.ServiceLevel},
	}
	for _, d := range durations {
		if d.d < 0 {
			fail("%s: %s %v is negative", where, d.name, d.d)
		}
	}
	validateOverflow(q, queues, fail)
}

func validateOverflow(q QueueConfig, queues map[string]bool, fail func(string, ...any)) {
	where := "queue " + q.Name
	if q.OverflowTarget == "" {
		if q.MaxWait > 0 {
			fail("%s: max wait is set but no overflow target", where)
		}
		return
	}
	kind, name, ok := SplitTarget(q.OverflowTarget)
	switch {
	case !ok:
		fail("%s: overflow target %q is not %s:<name> or %s:<node>", where, q.OverflowTarget, TargetQueue, TargetIVR)
	case kind == TargetQueue && !queues[name]:
		fail("%s: overflow target: unknown queue %q", where, name)
	case kind == TargetQueue && name == q.Name:
		fail("%s: overflow target is the queue itself", where)
	}
}

func validateAgent(i int, a AgentConfig, agents, queues map[string]bool, fail func(string, ...any)) {
	where := "agent " + a.ID
	switch {
	case a.ID == "":
		fail("agent #%d: empty id", i+1)
		where = fmt.Sprintf("agent #%d", i+1)
	case agents[a.ID]:
		fail("%s: defined twice", where)
	}
	agents[a.ID] = true
	validateSkills(where+": skill", a.Skills, fail)
	seen := make(map[string]bool, len(a.Queues))
	for _, name := range a.Queues {
		switch {
		case !queues[name]:
			fail("%s: unknown queue %q", where, name)
		case seen[name]:
			fail("%s: queue %q listed twice", where, name)
		}
		seen[name] = true
	}
}

func validateSkills(where string, skills map[string]int, fail func(string, ...any)) {
	for _, name := range slices.Sorted(maps.Keys(skills)) {
		level := skills[name]
		if name == "" {
			fail("%s: empty name", where)
		}
		if level < MinSkillLevel || level > MaxSkillLevel {
			fail("%s %q: level %d outside %d..%d", where, name, level, MinSkillLevel, MaxSkillLevel)
		}
	}
}

// validateAnnounced checks that every agent of a queue that announces agents
// has a work number to announce.
func validateAnnounced(c Config, fail func(string, ...any)) {
	announces := make(map[string]bool)
	for _, q := range c.Queues {
		if q.AnnounceAgent {
			announces[q.Name] = true
		}
	}
	for _, a := range c.Agents {
		if a.WorkNumber != "" {
			continue
		}
		for _, name := range a.Queues {
			if announces[name] {
				fail("agent %s: queue %s announces agents but the agent has no work number", a.ID, name)
				break
			}
		}
	}
}
