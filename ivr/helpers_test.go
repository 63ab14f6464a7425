package ivr

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // calendar tests must not depend on the host's zoneinfo

	"gopkg.in/yaml.v3"
)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// topKey returns the value under key in a parsed YAML document.
func topKey(t testing.TB, doc *yaml.Node, key string) *yaml.Node {
	t.Helper()
	root := resolve(doc)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return root.Content[i+1]
		}
	}
	return nil
}

// parseConfig parses calendars and flows from one YAML text, then validates,
// the way the server's loader does.
func parseConfig(t testing.TB, file, src string, v Validator) (map[string]*Flow, map[string]*Calendar, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	cals, calErr := ParseCalendars(file, topKey(t, &doc, "calendars"))
	flows, flowErr := ParseFlows(file, topKey(t, &doc, "flows"))
	if calErr != nil || flowErr != nil {
		return nil, nil, joinErrs(calErr, flowErr)
	}
	return flows, cals, Validate(flows, cals, v)
}

func joinErrs(errs ...error) error {
	var msgs []string
	for _, e := range errs {
		if e != nil {
			msgs = append(msgs, e.Error())
		}
	}
	return fmt.Errorf("%s", strings.Join(msgs, "\n"))
}

var demoLanguages = []string{"zh", "en", "ko"}

func loadDemo(t testing.TB) (map[string]*Flow, map[string]*Calendar) {
	t.Helper()
	src, err := os.ReadFile("testdata/demo_flow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	flows, cals, err := parseConfig(t, "demo_flow.yaml", string(src), Validator{Languages: demoLanguages})
	if err != nil {
		t.Fatalf("demo flow: %v", err)
	}
	return flows, cals
}
