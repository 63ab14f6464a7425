package config

import "github.com/hotline-oss/hotline/config/guardconf"

// The overload limits, sip.security and max_contacts, their defaults and
// their checks live in package guardconf; these names keep them where the
// rest of the server reads the configuration.
type (
	Overload   = guardconf.Overload
	Security   = guardconf.Security
	RateLimits = guardconf.RateLimits
	Rate       = guardconf.Rate
)

// DefaultMaxContacts is sip.max_contacts when the file does not set it.
const DefaultMaxContacts = guardconf.DefaultMaxContacts

// DefaultSecurity is what an empty sip.security means.
func DefaultSecurity() Security { return guardconf.DefaultSecurity() }

// DefaultOverload is what an absent set of overload keys means.
func DefaultOverload() Overload { return guardconf.DefaultOverload() }

// validateSecurity places guardconf's reasons under sip.
func (c *Config) validateSecurity() []error {
	var errs []error
	for _, r := range guardconf.Check(c.SIP.Overload, c.SIP.Security, c.SIP.MaxContacts) {
		errs = append(errs, c.Errorf("sip", "sip.%s", r))
	}
	return errs
}
