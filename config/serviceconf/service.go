package serviceconf

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"
)

// BuiltinDemoURL selects the built-in demo account responder, which the
// server mounts on its own HTTP listener so the demo works offline.
const BuiltinDemoURL = "builtin:demo"

// Services are the named outside services, by name.
type Services map[string]Service

// Service is an outside HTTP service the IVR asks about a caller's account
// (JSON POST in, JSON out), guarded by a timeout, retries and a circuit
// breaker so that a dead service costs callers seconds, not minutes.
type Service struct {
	URL       string        `yaml:"url"`        // http(s) URL, or builtin:demo
	Timeout   time.Duration `yaml:"timeout"`    // per attempt; default 2s
	Retries   *int          `yaml:"retries"`    // extra attempts after a failure; default 1
	Secret    string        `yaml:"secret"`     // signs requests (X-Hotline-Signature); prefer secret_env
	SecretEnv string        `yaml:"secret_env"` // read the secret from this environment variable
	Breaker   Breaker       `yaml:"breaker"`
}

// Breaker opens after Failures consecutive failed look-ups; while open,
// look-ups fail at once. After CoolDown one trial request is let through.
type Breaker struct {
	Failures int           `yaml:"failures"`  // default 5
	CoolDown time.Duration `yaml:"cool_down"` // default 30s
}

// Service defaults.
const (
	DefaultServiceTimeout  = 2 * time.Second
	DefaultServiceRetries  = 1
	DefaultBreakerFailures = 5
	DefaultBreakerCoolDown = 30 * time.Second
)

// WithDefaults fills the settings a file left out.
func (s Service) WithDefaults() Service {
	if s.Timeout == 0 {
		s.Timeout = DefaultServiceTimeout
	}
	if s.Retries == nil {
		r := DefaultServiceRetries
		s.Retries = &r
	}
	if s.Breaker.Failures == 0 {
		s.Breaker.Failures = DefaultBreakerFailures
	}
	if s.Breaker.CoolDown == 0 {
		s.Breaker.CoolDown = DefaultBreakerCoolDown
	}
	return s
}

// SecretValue returns the signing secret from the file or the environment;
// empty means requests go unsigned.
func (s Service) SecretValue() string {
	if s.SecretEnv != "" {
		return os.Getenv(s.SecretEnv)
	}
	return s.Secret
}

// Check reports what is wrong with one service entry.
func (s Service) Check() error {
	var errs []error
	if s.URL != BuiltinDemoURL {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("url %q: want an http or https URL, or %s", s.URL, BuiltinDemoURL))
		}
	}
	if s.Timeout < 0 || s.Timeout > time.Minute {
		errs = append(errs, fmt.Errorf("timeout %s: want between 0s and 1m", s.Timeout))
	}
	if s.Retries != nil && (*s.Retries < 0 || *s.Retries > 5) {
		errs = append(errs, fmt.Errorf("retries %d: want 0 to 5", *s.Retries))
	}
	if s.Breaker.Failures < 0 {
		errs = append(errs, fmt.Errorf("breaker.failures %d: must not be negative", s.Breaker.Failures))
	}
	if s.Breaker.CoolDown < 0 {
		errs = append(errs, fmt.Errorf("breaker.cool_down %s: must not be negative", s.Breaker.CoolDown))
	}
	if s.SecretEnv != "" && os.Getenv(s.SecretEnv) == "" {
		errs = append(errs, fmt.Errorf("secret_env: environment variable %s is empty", s.SecretEnv))
	}
	return errors.Join(errs...)
}
