package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"
)

// Webhook is one HTTP endpoint that receives call and agent events as JSON
// POSTs signed with HMAC-SHA256.
type Webhook struct {
	URL       string        `yaml:"url"`
	Secret    string        `yaml:"secret"`     // prefer secret_env
	SecretEnv string        `yaml:"secret_env"` // read the secret from this environment variable
	Kinds     []string      `yaml:"kinds"`      // event kinds to send (call_ended, …); empty: all
	Timeout   time.Duration `yaml:"timeout"`    // per attempt; default 5s
	// IncludeCallerNumber sends the caller's full number; by default only
	// its last four digits leave the server.
	IncludeCallerNumber bool `yaml:"include_caller_number"`
}

// SecretValue returns the signing secret from the file or the environment.
func (w Webhook) SecretValue() string {
	if w.SecretEnv != "" {
		return os.Getenv(w.SecretEnv)
	}
	return w.Secret
}

// Check reports what is wrong with one webhook entry. Event kind names are
// checked where the events are known (the app package).
func (w Webhook) Check() error {
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url %q: want an http or https URL", w.URL)
	}
	if w.SecretEnv != "" && os.Getenv(w.SecretEnv) == "" {
		return fmt.Errorf("secret_env: environment variable %s is empty", w.SecretEnv)
	}
	if w.SecretValue() == "" {
		return errors.New("a secret (secret_env or secret) is needed to sign deliveries")
	}
	if w.Timeout < 0 || w.Timeout > time.Minute {
		return fmt.Errorf("timeout %s: want between 0s and 1m", w.Timeout)
	}
	return nil
}
