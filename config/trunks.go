package config

import (
	"net/netip"

	"github.com/hotline-oss/hotline/config/trunkconf"
)

// A trunk's section, its defaults and its checks live in package
// trunkconf; these names keep them where the rest of the server reads the
// configuration.
type (
	Trunk         = trunkconf.Trunk
	NumberRule    = trunkconf.NumberRule
	TrunkAuth     = trunkconf.TrunkAuth
	TrunkRegister = trunkconf.TrunkRegister
)

// Trunk defaults (see trunkconf).
const (
	DefaultTrunkPort            = trunkconf.DefaultTrunkPort
	DefaultTrunkResolveEvery    = trunkconf.DefaultTrunkResolveEvery
	DefaultTrunkOptionsInterval = trunkconf.DefaultTrunkOptionsInterval
	DefaultTrunkDownAfter       = trunkconf.DefaultTrunkDownAfter
	DefaultTrunkRegisterExpires = trunkconf.DefaultTrunkRegisterExpires
)

// ParseTrunkAddress reads IP or IP:port (port 5060 when left out).
func ParseTrunkAddress(s string) (netip.AddrPort, error) { return trunkconf.ParseTrunkAddress(s) }

// TrunkByName returns the trunk called name.
func (c *Config) TrunkByName(name string) (Trunk, bool) {
	for _, t := range c.Trunks {
		if t.Name == name {
			return t, true
		}
	}
	return Trunk{}, false
}

// validateTrunks checks every trunk and the callback gateway's trunk list.
func (c *Config) validateTrunks() []error {
	var errs []error
	seen := map[string]bool{}
	for i, t := range c.Trunks {
		for _, b := range t.Check() {
			errs = append(errs, c.Errorf("trunks", "trunks[%d].%s", i, b))
		}
		if seen[t.Name] {
			errs = append(errs, c.Errorf("trunks", "trunks[%d].name %q: used twice", i, t.Name))
		}
		seen[t.Name] = true
	}
	gw := c.CallbackGateway
	if gw == nil || len(gw.Trunks) == 0 {
		return errs
	}
	used := map[string]bool{}
	for i, name := range gw.Trunks {
		if !seen[name] {
			errs = append(errs, c.Errorf("callback_gateway", "callback_gateway.trunks[%d] %q: no such trunk in trunks", i, name))
		}
		if used[name] {
			errs = append(errs, c.Errorf("callback_gateway", "callback_gateway.trunks[%d] %q: listed twice", i, name))
		}
		used[name] = true
		if t, ok := c.TrunkByName(name); ok && t.FromNumber == "" && gw.FromNumber == "" {
			errs = append(errs, c.Errorf("callback_gateway", "callback_gateway.from_number: trunk %s has no from_number either", name))
		}
	}
	return errs
}
