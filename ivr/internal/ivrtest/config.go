package ivrtest

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // calendar tests must not depend on the host's zoneinfo

	"gopkg.in/yaml.v3"

	"github.com/hotline-oss/hotline/ivr"
)

// DemoLanguages are the languages the demo flow is validated against.
var DemoLanguages = []string{"zh", "en", "ko"}

// UTC parses an RFC 3339 instant and panics on a typo, so fixtures can be
// package-level values.
func UTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// ParseConfig parses calendars and flows from one YAML text, then
// validates, the way the server's loader does.
func ParseConfig(t testing.TB, file, src string, v ivr.Validator) (map[string]*ivr.Flow, map[string]*ivr.Calendar, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	cals, calErr := ivr.ParseCalendars(file, topKey(&doc, "calendars"))
	flows, flowErr := ivr.ParseFlows(file, topKey(&doc, "flows"))
	if calErr != nil || flowErr != nil {
		return nil, nil, joinErrs(calErr, flowErr)
	}
	return flows, cals, ivr.Validate(flows, cals, v)
}

// LoadDemo reads the demo flow at path (the tests of each package sit at a
// different depth from ivr/testdata) and fails the test unless it is valid.
func LoadDemo(t testing.TB, path string) (map[string]*ivr.Flow, map[string]*ivr.Calendar) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flows, cals, err := ParseConfig(t, "demo_flow.yaml", string(src), ivr.Validator{Languages: DemoLanguages})
	if err != nil {
		t.Fatalf("demo flow: %v", err)
	}
	return flows, cals
}

// topKey returns the value under key in a document yaml.Unmarshal built.
// Such a document node always wraps the root node directly (a root alias
// would have nothing to point at), so unwrapping it is all the resolving
// the root needs; the flow reader resolves everything below.
func topKey(doc *yaml.Node, key string) *yaml.Node {
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return root.Content[i+1]
		}
	}
	return nil
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
