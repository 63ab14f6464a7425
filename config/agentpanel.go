package config

import (
	"regexp"
	"slices"
)

// AgentPanel configures the agents' web panel at /agent.
type AgentPanel struct {
	// PauseReasons are the reason codes an agent picks from when pausing;
	// paused-time reports group by them. Default: DefaultPauseReasons.
	PauseReasons []string `yaml:"pause_reasons"`
}

// DefaultPauseReasons are offered when agent_panel.pause_reasons is not set.
// "break" comes first because the pause feature code uses it too.
func DefaultPauseReasons() []string {
	return []string{"break", "lunch", "training", "meeting", "after_call_paperwork"}
}

// reasonCode keeps pause reasons usable as report keys and metric-free
// labels: short, lower case, no spaces.
var reasonCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Reasons returns the configured pause reasons, or the defaults.
func (p AgentPanel) Reasons() []string {
	if len(p.PauseReasons) == 0 {
		return DefaultPauseReasons()
	}
	return slices.Clone(p.PauseReasons)
}

func (c *Config) validateAgentPanel() []error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range c.AgentPanel.PauseReasons {
		switch {
		case !reasonCode.MatchString(r):
			errs = append(errs, c.Errorf("agent_panel", "agent_panel.pause_reasons[%d] %q: want a lower-case code of letters, digits and _ (at most 32)", i, r))
		case seen[r]:
			errs = append(errs, c.Errorf("agent_panel", "agent_panel.pause_reasons[%d]: %q listed twice", i, r))
		}
		seen[r] = true
	}
	if n := len(c.AgentPanel.PauseReasons); n > 20 {
		errs = append(errs, c.Errorf("agent_panel", "agent_panel.pause_reasons: %d reasons; at most 20 fit the panel", n))
	}
	return errs
}
