package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed demo.yaml
var demoYAML []byte

// DemoName is the file name reported for errors in the embedded demo.
const DemoName = "embedded:demo.yaml"

// Demo returns the embedded demo configuration: a utility customer-service
// line on loopback addresses only.
func Demo() []byte { return bytes.Clone(demoYAML) }

type SIP struct {
	Listen      string        `yaml:"listen"`
	Transports  []string      `yaml:"transports"`
	Advertise   string        `yaml:"advertise"` // address put in Contact; default: the listen IP
	MaxCalls    int           `yaml:"max_calls"`
	AnswerDelay time.Duration `yaml:"answer_delay"` // ring this long (180) before answering
	UserAgent   string        `yaml:"user_agent"`
	// DigestAlgorithms are the agents' digest challenges, most preferred
	// first: SHA-256 and MD5 by default.
	DigestAlgorithms []string `yaml:"digest_algorithms"`
	TLS              *TLS     `yaml:"tls"` // SIP over TLS (config/tls.go); nil: off
	// TCPIdleTimeout closes a TCP or TLS connection that sent nothing
	// (not even a CRLF keep-alive) for this long.
	TCPIdleTimeout time.Duration `yaml:"tcp_idle_timeout"`
	// MaxContacts caps each agent's registered phones; a new one past it
	// replaces the one refreshed longest ago (config/guardconf).
	MaxContacts int `yaml:"max_contacts"`
	// SessionTimer sets RFC 4028 session timers on callers' calls
	// (config/numbers.go).
	SessionTimer SessionTimer `yaml:"session_timer"`

	// Limits on new calls and on each source (config/guardconf):
	// max_calls_per_second, max_cpu_percent, retry_after, security.
	Overload `yaml:",inline"`
	Security Security `yaml:"security"`
}

type HTTP struct {
	Listen string `yaml:"listen"`
}

type Notice struct {
	Enabled bool     `yaml:"enabled"`
	Prompts []string `yaml:"prompts"`
}

type Log struct {
	Level       string `yaml:"level"`        // debug, info, warn, error
	Format      string `yaml:"format"`       // text or json
	MaskNumbers *bool  `yaml:"mask_numbers"` // mask caller numbers in logs (default true)
}

// Config is the whole file. Flows and calendars stay YAML nodes here: the ivr
// package parses them so that its errors carry their own positions.
type Config struct {
	SIP             SIP               `yaml:"sip"`
	HTTP            HTTP              `yaml:"http"`
	RTP             RTP               `yaml:"rtp"`
	DataDir         string            `yaml:"data_dir"`
	ShutdownGrace   time.Duration     `yaml:"shutdown_grace"`
	Languages       []string          `yaml:"languages"`
	DefaultLanguage string            `yaml:"default_language"`
	PromptsDir      string            `yaml:"prompts_dir"`
	Numbers         map[string]string `yaml:"numbers"` // dialled number → flow name
	// NumberOptions are the other settings of numbers written in the long
	// form ({flow: …, early_media: …}, config/numbers.go), by number.
	NumberOptions map[string]NumberOptions `yaml:"-"`
	Notice        Notice                   `yaml:"notice"`
	Log           Log                      `yaml:"log"`
	Agents        []Agent                  `yaml:"agents"`
	Queues        map[string]Queue         `yaml:"queues"`
	Features      Features                 `yaml:"features"`
	Supervisors   []Supervisor             `yaml:"supervisors"` // listen/whisper/barge (config/supervisors.go)
	Monitor       Monitor                  `yaml:"monitor"`
	API           API                      `yaml:"api"`
	Database      Database                 `yaml:"database"`
	Cluster       Cluster                  `yaml:"cluster"` // several nodes as one (config/clusterconf)
	Webhooks      []Webhook                `yaml:"webhooks"`
	Services      Services                 `yaml:"services"` // account look-up and work-order services
	AgentPanel    AgentPanel               `yaml:"agent_panel"`
	Calendars     yaml.Node                `yaml:"calendars"`
	Flows         yaml.Node                `yaml:"flows"`

	// RepeatComplaints routes frequent complainers (config/careconf).
	RepeatComplaints *RepeatComplaints `yaml:"repeat_complaints"`
	// CallbackGateway dials callbacks out (config/callbackconf).
	CallbackGateway *CallbackGateway `yaml:"callback_gateway"`
	// Tickets: complaints and work orders followed to closure (config/ticketconf).
	Tickets Tickets `yaml:"tickets"`
	// Trunks are the carriers' and providers' interconnects (config/trunkconf).
	Trunks []Trunk `yaml:"trunks"`
	// Quality: evaluation forms and the review queue (config/qualityconf).
	Quality Quality `yaml:"quality"`
	// Workforce: schedule adherence and attendance rules (config/workforceconf).
	Workforce Workforce `yaml:"workforce"`

	// File is where the configuration came from, for error messages.
	File string `yaml:"-"`
	// positions of keys, for errors found after decoding
	pos map[string]*yaml.Node
	doc *yaml.Node // the whole document, to find nested keys
}

// Pos returns the YAML node of a top-level key ("sip", "numbers", …), or
// nil, so later checks can report where a value was written.
func (c *Config) Pos(key string) *yaml.Node { return c.pos[key] }

// Errorf builds a positioned error at the given top-level key, or, when
// the message starts with a deeper key path of that section (for example
// "sip.security.ban_for must be positive"), at that key's own line.
func (c *Config) Errorf(key string, format string, args ...any) error {
	e := posErr(c.File, c.pos[key], format, args...)
	path := keyPath(e.Msg)
	if path != key && strings.HasPrefix(path, key) && c.doc != nil {
		if n := locate(c.doc, path); n != nil {
			e.Line, e.Col = n.Line, n.Column
		}
	}
	return e
}

// LoadFile reads and validates a configuration file.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates configuration bytes; name is used in errors.
func Parse(name string, data []byte) (*Config, error) {
	cfg, err := Check(name, data)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// Default returns the defaults that a file overrides key by key.
func Default() *Config {
	return &Config{
		SIP: SIP{
			Listen:         "127.0.0.1:5060",
			Transports:     []string{"udp", "tcp"},
			MaxCalls:       1000,
			UserAgent:      "hotline",
			TCPIdleTimeout: 10 * time.Minute,
			MaxContacts:    DefaultMaxContacts,
			Overload:       DefaultOverload(),
			Security:       DefaultSecurity(),
		},
		HTTP: HTTP{Listen: "127.0.0.1:8080"},
		RTP: RTP{
			Address:           "127.0.0.1",
			Ports:             "20000-39999",
			InactivityTimeout: 30 * time.Second,
		},
		DataDir:         "./data",
		ShutdownGrace:   30 * time.Second,
		Languages:       []string{"zh", "en", "ko"},
		DefaultLanguage: "zh",
		Log:             Log{Level: "info", Format: "text"},
		Features:        DefaultFeatures(),
		Monitor:         DefaultMonitor(),
		Cluster:         DefaultCluster(),
	}
}

// yaml.v3 reports "yaml: line N: reason"; put the file in front so the
// operator can jump to it.
func yamlError(file string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var errs []error
		for _, m := range te.Errors {
			errs = append(errs, lineError(file, m))
		}
		return errors.Join(errs...)
	}
	return lineError(file, strings.TrimPrefix(msg, "yaml: "))
}

func lineError(file, msg string) error {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, reason, found := strings.Cut(rest, ": ")
		if n, err := strconv.Atoi(num); found && err == nil {
			return &PosError{File: file, Line: n, Col: 1, Msg: reason}
		}
	}
	return &PosError{File: file, Msg: msg}
}

func (c *Config) validate() error {
	var errs []error
	if _, err := netip.ParseAddrPort(c.SIP.Listen); err != nil {
		errs = append(errs, c.Errorf("sip", "sip.listen %q: want IP:port", c.SIP.Listen))
	}
	for _, t := range c.SIP.Transports {
		if t != "udp" && t != "tcp" {
			errs = append(errs, c.Errorf("sip", "sip.transports: %q is not supported (udp, tcp)", t))
		}
	}
	if len(c.SIP.Transports) == 0 {
		errs = append(errs, c.Errorf("sip", "sip.transports: at least one transport is needed"))
	}
	if c.SIP.Advertise != "" {
		if _, err := netip.ParseAddr(c.SIP.Advertise); err != nil {
			errs = append(errs, c.Errorf("sip", "sip.advertise %q: want an IP address", c.SIP.Advertise))
		}
	}
	for _, alg := range c.SIP.DigestAlgorithms {
		if alg != "SHA-256" && alg != "MD5" {
			errs = append(errs, c.Errorf("sip", "sip.digest_algorithms: %q: want SHA-256 or MD5", alg))
		}
	}
	if c.SIP.MaxCalls < 1 {
		errs = append(errs, c.Errorf("sip", "sip.max_calls must be at least 1"))
	}
	if err := c.SIP.SessionTimer.check(); err != nil {
		errs = append(errs, c.Errorf("sip", "%v", err))
	}
	if c.SIP.AnswerDelay < 0 || c.SIP.AnswerDelay > 60*time.Second {
		errs = append(errs, c.Errorf("sip", "sip.answer_delay must be between 0s and 60s"))
	}
	if c.SIP.TCPIdleTimeout < time.Second || c.SIP.TCPIdleTimeout > 24*time.Hour {
		errs = append(errs, c.Errorf("sip", "sip.tcp_idle_timeout must be between 1s and 24h"))
	}
	if _, err := netip.ParseAddrPort(c.HTTP.Listen); err != nil {
		errs = append(errs, c.Errorf("http", "http.listen %q: want IP:port", c.HTTP.Listen))
	}
	errs = append(errs, c.validateRTP()...)
	errs = append(errs, c.validateSecurity()...)
	errs = append(errs, c.validateLanguages()...)
	errs = append(errs, c.validateACD()...)
	errs = append(errs, c.validateAPI()...)
	errs = append(errs, c.validateSupervisors()...)
	errs = append(errs, c.validateDatabase()...)
	errs = append(errs, c.validateTLS()...)
	errs = append(errs, c.validateAgentPanel()...)
	errs = append(errs, c.validateCare()...)
	errs = append(errs, c.validateCallback()...)
	errs = append(errs, c.validateTickets()...)
	errs = append(errs, c.validateTrunks()...)
	errs = append(errs, c.validateCluster()...)
	errs = append(errs, c.validateQuality()...)
	errs = append(errs, c.validateWorkforce()...)
	for i, w := range c.Webhooks {
		if err := w.Check(); err != nil {
			errs = append(errs, c.Errorf("webhooks", "webhooks[%d]: %v", i, err))
		}
	}
	if len(c.Numbers) == 0 {
		errs = append(errs, c.Errorf("numbers", "numbers: at least one hotline number must route to a flow"))
	}
	if c.ShutdownGrace < 0 {
		errs = append(errs, c.Errorf("shutdown_grace", "shutdown_grace must not be negative"))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, c.Errorf("log", "log.level %q: want debug, info, warn or error", c.Log.Level))
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		errs = append(errs, c.Errorf("log", "log.format %q: want text or json", c.Log.Format))
	}
	return errors.Join(errs...)
}

func (c *Config) validateLanguages() []error {
	var errs []error
	if len(c.Languages) == 0 {
		errs = append(errs, c.Errorf("languages", "languages: at least one language is needed"))
	}
	found := false
	for _, l := range c.Languages {
		found = found || l == c.DefaultLanguage
	}
	if !found {
		errs = append(errs, c.Errorf("default_language", "default_language %q is not in languages %v", c.DefaultLanguage, c.Languages))
	}
	return errs
}

// Override applies command-line flags on top of the file.
type Override struct {
	SIPListen, HTTPListen, RTPPorts, DataDir string
}

// Apply validates and applies the flags that were set.
func (c *Config) Apply(o Override) error {
	if o.SIPListen != "" {
		c.SIP.Listen = o.SIPListen
	}
	if o.HTTPListen != "" {
		c.HTTP.Listen = o.HTTPListen
	}
	if o.RTPPorts != "" {
		c.RTP.Ports = o.RTPPorts
	}
	if o.DataDir != "" {
		c.DataDir = o.DataDir
	}
	if err := c.validate(); err != nil {
		return fmt.Errorf("after command-line flags: %w", err)
	}
	return nil
}

// MaskNumbers reports whether caller numbers are masked in logs.
func (c *Config) MaskNumbers() bool { return c.Log.MaskNumbers == nil || *c.Log.MaskNumbers }
