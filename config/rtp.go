package config

import "github.com/hotline-oss/hotline/config/rtpconf"

// The rtp section and its checks live in package rtpconf; this name keeps
// it where the rest of the server reads the configuration.
type RTP = rtpconf.RTP

// ParsePortRange reads "LOW-HIGH" with an even LOW, as the RTP port pool
// wants (RTP on even ports, RTCP on the odd one above).
func ParsePortRange(s string) (low, high int, err error) { return rtpconf.ParsePortRange(s) }

// validateRTP places the section's reasons under rtp.
func (c *Config) validateRTP() []error {
	var errs []error
	for _, r := range c.RTP.Check() {
		errs = append(errs, c.Errorf("rtp", "rtp.%s", r))
	}
	return errs
}
