package rtpconf

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RTP is the rtp section: where media sockets bind and which ports they
// take, what SDP advertises, when a silent call ends, the pacer's workers
// and the codecs offered to agents' phones.
type RTP struct {
	Address           string        `yaml:"address"`   // bind address for RTP sockets
	Advertise         string        `yaml:"advertise"` // address put in SDP; default: address
	Ports             string        `yaml:"ports"`     // "LOW-HIGH", even LOW
	InactivityTimeout time.Duration `yaml:"inactivity_timeout"`
	PacerWorkers      int           `yaml:"pacer_workers"` // 0: one per core
	// AgentCodecs are offered to agents' phones, in preference order:
	// PCMU, PCMA, G722. Empty: PCMU, PCMA, as to callers.
	AgentCodecs []string `yaml:"agent_codecs"`
}

// agentCodecNames are the codec names rtp.agent_codecs accepts (SDP
// encoding names, any case).
var agentCodecNames = []string{"PCMU", "PCMA", "G722"}

// Check returns what is wrong with the section, each reason starting with
// its key below rtp.
func (r RTP) Check() []string {
	var reasons []string
	bad := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	if _, err := netip.ParseAddr(r.Address); err != nil {
		bad("address %q: want an IP address", r.Address)
	}
	if r.Advertise != "" {
		if _, err := netip.ParseAddr(r.Advertise); err != nil {
			bad("advertise %q: want an IP address", r.Advertise)
		}
	}
	if _, _, err := ParsePortRange(r.Ports); err != nil {
		bad("ports: %v", err)
	}
	if r.InactivityTimeout < 0 {
		bad("inactivity_timeout must not be negative (0 disables it)")
	}
	if r.PacerWorkers < 0 {
		bad("pacer_workers must not be negative")
	}
	return append(reasons, r.checkAgentCodecs()...)
}

func (r RTP) checkAgentCodecs() []string {
	var reasons []string
	bad := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	seen := map[string]bool{}
	for i, name := range r.AgentCodecs {
		upper := strings.ToUpper(name)
		switch {
		case !slices.Contains(agentCodecNames, upper):
			bad("agent_codecs[%d]: unknown codec %q (want %s)", i, name, strings.Join(agentCodecNames, ", "))
		case seen[upper]:
			bad("agent_codecs[%d]: %s is listed twice", i, upper)
		}
		seen[upper] = true
	}
	if len(r.AgentCodecs) > 0 && !seen["PCMU"] && !seen["PCMA"] {
		bad("agent_codecs: list PCMU or PCMA too, for phones without G.722")
	}
	return reasons
}

// ParsePortRange reads "LOW-HIGH" with an even LOW, as the RTP port pool
// wants (RTP on even ports, RTCP on the odd one above).
func ParsePortRange(s string) (low, high int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("%q: want LOW-HIGH", s)
	}
	low, err1 := strconv.Atoi(strings.TrimSpace(a))
	high, err2 := strconv.Atoi(strings.TrimSpace(b))
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("%q: ports must be numbers", s)
	case low < 1024 || high > 65535 || low >= high:
		return 0, 0, fmt.Errorf("%q: want 1024 <= LOW < HIGH <= 65535", s)
	case low%2 != 0:
		return 0, 0, fmt.Errorf("%q: LOW must be even (RTP uses even ports)", s)
	}
	return low, high, nil
}
