package config

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/hotline-oss/hotline/config/serviceconf"
)

// The outside services the IVR asks (look-ups), their defaults and the
// check of each live in package serviceconf; these names keep them where
// the rest of the server reads the configuration.
type (
	Services = serviceconf.Services
	Service  = serviceconf.Service
	Breaker  = serviceconf.Breaker
)

// BuiltinDemoURL selects the built-in demo account responder (see
// serviceconf).
const BuiltinDemoURL = serviceconf.BuiltinDemoURL

// Service defaults (see serviceconf).
const (
	DefaultServiceTimeout  = serviceconf.DefaultServiceTimeout
	DefaultServiceRetries  = serviceconf.DefaultServiceRetries
	DefaultBreakerFailures = serviceconf.DefaultBreakerFailures
	DefaultBreakerCoolDown = serviceconf.DefaultBreakerCoolDown
)

// CheckServices checks every service; errors are positioned at services:.
func (c *Config) CheckServices() error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c.Services)) {
		if strings.TrimSpace(name) == "" {
			errs = append(errs, c.Errorf("services", "services: empty service name"))
			continue
		}
		if err := c.Services[name].Check(); err != nil {
			errs = append(errs, c.Errorf("services", "services.%s: %v", name, err))
		}
	}
	return errors.Join(errs...)
}
