package config

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Supervisor is a team lead who may listen to, whisper to or barge into
// agents' calls from a softphone registered like an agent's.
type Supervisor struct {
	ID          string `yaml:"id"`   // the extension the softphone registers as
	Name        string `yaml:"name"` // for logs and the audit trail
	Password    string `yaml:"password"`
	PasswordEnv string `yaml:"password_env"`
	// Agents the supervisor may monitor: agent ids, or "*" for every agent.
	Agents []string `yaml:"agents"`
}

// SIPPassword returns the supervisor's SIP password from the file or the
// environment.
func (s Supervisor) SIPPassword() string {
	if s.PasswordEnv != "" {
		return os.Getenv(s.PasswordEnv)
	}
	return s.Password
}

// MayMonitor reports whether the supervisor may monitor agent.
func (s Supervisor) MayMonitor(agent string) bool {
	return slices.Contains(s.Agents, "*") || slices.Contains(s.Agents, agent)
}

// Monitor configures supervisor monitoring: the feature codes a
// supervisor dials followed by the agent's id (*31 1001), and how long the
// API rings the supervisor's phone.
type Monitor struct {
	Listen      string        `yaml:"listen"`
	Whisper     string        `yaml:"whisper"`
	Barge       string        `yaml:"barge"`
	RingTimeout time.Duration `yaml:"ring_timeout"`
}

// DefaultMonitor are the monitoring codes when none are configured.
func DefaultMonitor() Monitor {
	return Monitor{Listen: "*31", Whisper: "*32", Barge: "*33", RingTimeout: 30 * time.Second}
}

var featureCode = regexp.MustCompile(`^[*#][0-9]{1,3}$`)

func (c *Config) validateSupervisors() []error {
	var errs []error
	agents := map[string]bool{}
	for _, a := range c.Agents {
		agents[a.ID] = true
	}
	seen := map[string]bool{}
	for i, s := range c.Supervisors {
		where := fmt.Sprintf("supervisors[%d]", i)
		switch {
		case !extension.MatchString(s.ID):
			errs = append(errs, c.Errorf("supervisors", "%s: id %q: want 2 to 8 digits (the softphone's extension)", where, s.ID))
		case seen[s.ID]:
			errs = append(errs, c.Errorf("supervisors", "%s: id %q used twice", where, s.ID))
		case agents[s.ID]:
			errs = append(errs, c.Errorf("supervisors", "%s: id %q is also an agent's id", where, s.ID))
		case c.Numbers[s.ID] != "":
			errs = append(errs, c.Errorf("supervisors", "%s: id %q is also a hotline number", where, s.ID))
		}
		seen[s.ID] = true
		switch {
		case s.Password == "" && s.PasswordEnv == "":
			errs = append(errs, c.Errorf("supervisors", "%s: supervisor %s: password or password_env needed", where, s.ID))
		case s.PasswordEnv != "" && os.Getenv(s.PasswordEnv) == "":
			errs = append(errs, c.Errorf("supervisors", "%s: supervisor %s: environment variable %s is empty", where, s.ID, s.PasswordEnv))
		}
		if len(s.Agents) == 0 {
			errs = append(errs, c.Errorf("supervisors", `%s: supervisor %s: agents: list agent ids, or "*" for all`, where, s.ID))
		}
		for _, a := range s.Agents {
			if a != "*" && !agents[a] {
				errs = append(errs, c.Errorf("supervisors", "%s: supervisor %s: unknown agent %q", where, s.ID, a))
			}
		}
	}
	return append(errs, c.validateMonitorCodes()...)
}

// validateMonitorCodes checks the three codes: well formed, distinct, and
// neither a prefix of another feature code nor prefixed by one, since a
// code is followed by an agent's id and must be told apart from the rest.
func (c *Config) validateMonitorCodes() []error {
	var errs []error
	m := c.Monitor
	if m.RingTimeout < time.Second || m.RingTimeout > 5*time.Minute {
		errs = append(errs, c.Errorf("monitor", "monitor.ring_timeout must be between 1s and 5m"))
	}
	f := c.Features
	type named struct{ name, code string }
	others := []named{{"features.login", f.Login}, {"features.logout", f.Logout}, {"features.pause", f.Pause},
		{"features.ready", f.Ready}, {"features.disposition", f.Disposition}}
	mine := []named{{"monitor.listen", m.Listen}, {"monitor.whisper", m.Whisper}, {"monitor.barge", m.Barge}}
	for i, x := range mine {
		if !featureCode.MatchString(x.code) {
			errs = append(errs, c.Errorf("monitor", "%s %q: want * or # and 1 to 3 digits", x.name, x.code))
			continue
		}
		clash := func(name, code string) {
			if code != "" && (strings.HasPrefix(code, x.code) || strings.HasPrefix(x.code, code)) {
				errs = append(errs, c.Errorf("monitor", "%s %q clashes with %s %q", x.name, x.code, name, code))
			}
		}
		for _, y := range others {
			clash(y.name, y.code)
		}
		for _, y := range mine[i+1:] {
			clash(y.name, y.code)
		}
	}
	return errs
}
