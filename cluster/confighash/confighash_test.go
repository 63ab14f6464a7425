package confighash

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/config"
)

func parseConfig(t *testing.T, yml string) *config.Config {
	t.Helper()
	c, err := config.Parse("x.yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sectionsOf(t *testing.T, c *config.Config) map[string]string {
	t.Helper()
	s, err := Sections(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConfigHashIgnoresFormAndNodeLocalKeys(t *testing.T) {
	demo := string(config.Demo())
	base := sectionsOf(t, parseConfig(t, demo))
	for _, want := range []string{"queues", "flows", "agents", "cluster", "sip"} {
		if base[want] == "" {
			t.Fatalf("no section %s in %d sections", want, len(base))
		}
	}
	// Comments, blank lines and node-local keys do not count.
	local := parseConfig(t, "# node b\n\n"+strings.ReplaceAll(demo, "\n", "\n\n"))
	local.Log.Level = "debug"
	local.DataDir = "/var/lib/b"
	local.SIP.Listen = "127.0.0.12:5060"
	local.RTP.Address = "127.0.0.12"
	local.Cluster.NodeID = "b"
	if d := Diff(base, sectionsOf(t, local)); len(d) != 0 {
		t.Fatalf("node-local changes counted: %v", d)
	}
	// A change of a shared section is named.
	changed := parseConfig(t, demo)
	changed.ShutdownGrace = 5 * time.Second
	changed.Cluster.LeaseTTL = 9 * time.Second
	changed.SIP.UserAgent = "other"
	if d := Diff(base, sectionsOf(t, changed)); !slices.Equal(d, []string{"cluster", "shutdown_grace", "sip"}) {
		t.Fatalf("diff %v", d)
	}
	if Hash(base) == Hash(sectionsOf(t, changed)) || Hash(base) != Hash(sectionsOf(t, parseConfig(t, demo))) {
		t.Fatal("the overall hash does not follow the sections")
	}
}
