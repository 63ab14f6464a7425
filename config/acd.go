package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Agent is one contact-centre agent: the extension its softphone registers
// as, the work number callers hear, skills and queues.
type Agent struct {
	ID          string         `yaml:"id"`
	Name        string         `yaml:"name"`
	WorkNumber  string         `yaml:"work_number"`
	Password    string         `yaml:"password"`     // SIP digest password (demo only: prefer password_env)
	PasswordEnv string         `yaml:"password_env"` // read the password from this environment variable
	Skills      map[string]int `yaml:"skills"`
	Queues      []string       `yaml:"queues"`
	// RequireSecure: the softphone must register over TLS and its calls
	// are offered SRTP only (RTP/SAVP).
	RequireSecure bool `yaml:"require_secure"`
}

// Queue configures one ACD queue. Pointers tell "not set" (default) from
// an explicit zero (off).
type Queue struct {
	// DisplayName is how people see the queue (wallboard); the key when
	// empty.
	DisplayName         string         `yaml:"display_name"`
	Strategy            string         `yaml:"strategy"`
	RequiredSkills      map[string]int `yaml:"required_skills"`
	MaxWaiting          int            `yaml:"max_waiting"`
	MaxWait             time.Duration  `yaml:"max_wait"`
	Overflow            string         `yaml:"overflow"` // queue:<name> or ivr:<node>
	JoinEmpty           string         `yaml:"join_empty"`
	LeaveWhenEmpty      bool           `yaml:"leave_when_empty"`
	RingTimeout         *time.Duration `yaml:"ring_timeout"`
	WrapUp              *time.Duration `yaml:"wrapup"`
	AutoPauseAfter      *int           `yaml:"auto_pause_after"`
	BusyBackoff         *time.Duration `yaml:"busy_backoff"`
	AnnounceEvery       *time.Duration `yaml:"announce_every"`
	AnnounceAgent       *bool          `yaml:"announce_agent"`
	Music               string         `yaml:"music"` // music on hold (prompts/music/<name>.wav)
	ExitDigit           string         `yaml:"exit_digit"`
	ExitTarget          string         `yaml:"exit_target"` // IVR node the exit digit leads to
	ServiceLevelSeconds *int           `yaml:"service_level_seconds"`
	ServiceLevelTarget  *float64       `yaml:"service_level_target"`
	ShortAbandonSeconds *int           `yaml:"short_abandon_seconds"`
	Survey              *Survey        `yaml:"survey"`       // post-call survey (config/careconf)
	StickyAgent         *StickyAgent   `yaml:"sticky_agent"` // first-contact ownership
	Recording           *Recording     `yaml:"recording"`    // quality recording
	Callback            *QueueCallback `yaml:"callback"`     // virtual hold (config/callbackconf)
}

// Features are the codes an agent dials from the softphone.
type Features struct {
	Login       string `yaml:"login"`
	Logout      string `yaml:"logout"`
	Pause       string `yaml:"pause"`
	Ready       string `yaml:"ready"`
	Disposition string `yaml:"disposition"` // followed by a two-digit code
}

// DefaultFeatures are the feature codes when none are configured.
func DefaultFeatures() Features {
	return Features{Login: "*21", Logout: "*22", Pause: "*23", Ready: "*24", Disposition: "*25"}
}

var extension = regexp.MustCompile(`^[0-9]{2,8}$`)

// AgentPassword returns an agent's SIP password from the file or the
// environment.
func (a Agent) AgentPassword() string {
	if a.PasswordEnv != "" {
		return os.Getenv(a.PasswordEnv)
	}
	return a.Password
}

func (c *Config) validateACD() []error {
	var errs []error
	seen := map[string]bool{}
	for i, a := range c.Agents {
		where := fmt.Sprintf("agents[%d]", i)
		switch {
		case !extension.MatchString(a.ID):
			errs = append(errs, c.Errorf("agents", "%s: id %q: want 2 to 8 digits (the softphone's extension)", where, a.ID))
		case seen[a.ID]:
			errs = append(errs, c.Errorf("agents", "%s: id %q used twice", where, a.ID))
		case c.Numbers[a.ID] != "":
			errs = append(errs, c.Errorf("agents", "%s: id %q is also a hotline number", where, a.ID))
		}
		seen[a.ID] = true
		if a.Password == "" && a.PasswordEnv == "" {
			errs = append(errs, c.Errorf("agents", "%s: agent %s needs password or password_env", where, a.ID))
		}
		if a.PasswordEnv != "" && os.Getenv(a.PasswordEnv) == "" {
			errs = append(errs, c.Errorf("agents", "%s: agent %s: environment variable %s is empty", where, a.ID, a.PasswordEnv))
		}
		for _, q := range a.Queues {
			if _, ok := c.Queues[q]; !ok {
				errs = append(errs, c.Errorf("agents", "%s: agent %s: unknown queue %q", where, a.ID, q))
			}
		}
	}
	for name, q := range c.Queues {
		if err := checkDisplayName(q.DisplayName); err != nil {
			errs = append(errs, c.Errorf("queues", "queues.%s: display_name: %v", name, err))
		}
		if q.ServiceLevelTarget != nil && (*q.ServiceLevelTarget <= 0 || *q.ServiceLevelTarget > 1) {
			errs = append(errs, c.Errorf("queues", "queues.%s: service_level_target must be in (0, 1]", name))
		}
		if q.ShortAbandonSeconds != nil && (*q.ShortAbandonSeconds < 0 || *q.ShortAbandonSeconds > 20) {
			errs = append(errs, c.Errorf("queues", "queues.%s: short_abandon_seconds must be 0 to 20", name))
		}
		if q.ExitDigit != "" && (len(q.ExitDigit) != 1 || !strings.ContainsAny(q.ExitDigit, "0123456789*#") || q.ExitTarget == "") {
			errs = append(errs, c.Errorf("queues", "queues.%s: exit_digit wants one key and an exit_target", name))
		}
	}
	f := c.Features
	codes := map[string]string{}
	for name, code := range map[string]string{"login": f.Login, "logout": f.Logout, "pause": f.Pause, "ready": f.Ready, "disposition": f.Disposition} {
		if code == "" {
			errs = append(errs, c.Errorf("features", "features.%s must not be empty", name))
			continue
		}
		if other, dup := codes[code]; dup {
			errs = append(errs, c.Errorf("features", "features.%s and features.%s share %q", name, other, code))
		}
		codes[code] = name
	}
	return errs
}

// APIToken is one REST API credential.
type APIToken struct {
	Name     string `yaml:"name"`
	Token    string `yaml:"token"`     // demo only: prefer token_env
	TokenEnv string `yaml:"token_env"` // read the token from this environment variable
	Role     string `yaml:"role"`      // agent, supervisor, admin
	Agent    string `yaml:"agent"`     // for role agent: the agent it acts for
}

// API configures the REST API.
type API struct {
	Tokens []APIToken `yaml:"tokens"`
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For the audit log believes; default none.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// Secret returns the token from the file or the environment.
func (t APIToken) Secret() string {
	if t.TokenEnv != "" {
		return os.Getenv(t.TokenEnv)
	}
	return t.Token
}

func (c *Config) validateAPI() []error {
	var errs []error
	agents := map[string]bool{}
	for _, a := range c.Agents {
		agents[a.ID] = true
	}
	for i, p := range c.API.TrustedProxies {
		if _, err := ParsePrefix(p); err != nil {
			errs = append(errs, c.Errorf("api", "api.trusted_proxies[%d]: %v", i, err))
		}
	}
	for i, t := range c.API.Tokens {
		where := fmt.Sprintf("api.tokens[%d] (%s)", i, t.Name)
		switch {
		case t.Secret() == "":
			errs = append(errs, c.Errorf("api", "%s: token or token_env (set and not empty) needed", where))
		case len(t.Secret()) < 16:
			errs = append(errs, c.Errorf("api", "%s: the token must have at least 16 characters", where))
		}
		switch t.Role {
		case "supervisor", "admin":
		case "agent":
			if !agents[t.Agent] {
				errs = append(errs, c.Errorf("api", "%s: role agent needs a configured agent, not %q", where, t.Agent))
			}
		default:
			errs = append(errs, c.Errorf("api", "%s: role %q: want agent, supervisor or admin", where, t.Role))
		}
	}
	return errs
}

// ParsePrefix reads an IP address or a CIDR range; an address is its own
// single-address range.
func ParsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q: want an IP address or CIDR range", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// maxDisplayName bounds a queue's display name so it fits a wallboard card.
const maxDisplayName = 40

// checkDisplayName accepts an empty name (the key is shown) or a short
// line of printable text.
func checkDisplayName(name string) error {
	switch {
	case name == "":
		return nil
	case strings.TrimSpace(name) == "":
		return errors.New("must not be blank (leave it out to show the key)")
	case !utf8.ValidString(name):
		return errors.New("must be UTF-8 text")
	case utf8.RuneCountInString(name) > maxDisplayName:
		return fmt.Errorf("%d characters; at most %d fit a wallboard card", utf8.RuneCountInString(name), maxDisplayName)
	case strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return errors.New("must be printable text on one line")
	}
	return nil
}

// QueueDisplayName is how people see queue name: its display_name, or the
// key.
func (c *Config) QueueDisplayName(name string) string {
	if d := c.Queues[name].DisplayName; d != "" {
		return d
	}
	return name
}
