package config

import "github.com/hotline-oss/hotline/config/workforceconf"

// The workforce section, its defaults and its checks live in package
// workforceconf; these names keep them where the rest of the server reads
// the configuration.
type Workforce = workforceconf.Workforce

// Workforce defaults (see workforceconf).
const (
	DefaultAdherenceTarget   = workforceconf.DefaultAdherenceTarget
	DefaultLateLoginAfter    = workforceconf.DefaultLateLoginAfter
	DefaultEarlyLogoutBefore = workforceconf.DefaultEarlyLogoutBefore
	DefaultAdherenceAlert    = workforceconf.DefaultAdherenceAlert
)

// WorkforceRules is the section with its defaults filled in, every pause
// reason of the agent panel an activity of its own.
func (c *Config) WorkforceRules() Workforce {
	return c.Workforce.WithDefaults(c.AgentPanel.Reasons())
}

// validateWorkforce places the section's reasons under workforce.
func (c *Config) validateWorkforce() []error {
	var errs []error
	for _, r := range c.Workforce.Check(c.AgentPanel.Reasons()) {
		errs = append(errs, c.Errorf("workforce", "workforce.%s", r))
	}
	return errs
}
