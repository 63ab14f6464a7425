package benchkit

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
)

// Setup is what every driver needs to know to run the server and SIPp.
type Setup struct {
	ServerBin, Config, SIPpBin, Scenario string
	SIPAddr, HTTPAddr                    string
	Number                               string // dialled number
	WorkDir                              string // logs and data; a temporary directory when empty
}

// Flags registers the Setup flags on fs; scenario is the default SIPp
// scenario, which differs per driver.
func (s *Setup) Flags(fs *flag.FlagSet, scenario, scenarioHelp string) {
	fs.StringVar(&s.ServerBin, "server", "bin/hotline", "hotline binary")
	fs.StringVar(&s.Config, "config", "bench/hotline-bench.yaml", "server configuration")
	fs.StringVar(&s.SIPpBin, "sipp", "sipp", "SIPp binary")
	fs.StringVar(&s.Scenario, "scenario", scenario, scenarioHelp)
	fs.StringVar(&s.SIPAddr, "sip", "127.0.0.1:5080", "server SIP address")
	fs.StringVar(&s.HTTPAddr, "http", "127.0.0.1:8088", "server HTTP address")
	fs.StringVar(&s.Number, "number", "95598", "dialled number")
	fs.StringVar(&s.WorkDir, "work", "", "directory for logs (default: a new temporary directory)")
}

// Prepare checks the tools and files exist and creates the work
// directory, a new temporary one named after prefix when none was given.
func (s *Setup) Prepare(prefix string) error {
	if _, err := exec.LookPath(s.SIPpBin); err != nil {
		return fmt.Errorf("sipp not found (apt-get install -y sip-tester): %w", err)
	}
	for _, f := range []string{s.ServerBin, s.Config, s.Scenario} {
		if _, err := os.Stat(f); err != nil {
			return err
		}
	}
	if s.WorkDir == "" {
		dir, err := os.MkdirTemp("", prefix)
		if err != nil {
			return err
		}
		s.WorkDir = dir
	}
	return os.MkdirAll(s.WorkDir, 0o755)
}
