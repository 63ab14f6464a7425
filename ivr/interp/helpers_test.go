package interp

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // calendar tests must not depend on the host's zoneinfo

	"gopkg.in/yaml.v3"

	"github.com/hotline-oss/hotline/ivr"
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
	root := resolveYAML(doc)
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
func parseConfig(t testing.TB, file, src string, v ivr.Validator) (map[string]*ivr.Flow, map[string]*ivr.Calendar, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	cals, calErr := ivr.ParseCalendars(file, topKey(t, &doc, "calendars"))
	flows, flowErr := ivr.ParseFlows(file, topKey(t, &doc, "flows"))
	if calErr != nil || flowErr != nil {
		return nil, nil, joinErrs(calErr, flowErr)
	}
	return flows, cals, ivr.Validate(flows, cals, v)
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

func loadDemo(t testing.TB) (map[string]*ivr.Flow, map[string]*ivr.Calendar) {
	t.Helper()
	src, err := os.ReadFile("../testdata/demo_flow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	flows, cals, err := parseConfig(t, "demo_flow.yaml", string(src), ivr.Validator{Languages: demoLanguages})
	if err != nil {
		t.Fatalf("demo flow: %v", err)
	}
	return flows, cals
}

// openTime is a Wednesday 10:00 in Shanghai: the office is open.
var openTime = utc("2026-03-04T02:00:00Z")

func demoEnv(cals map[string]*ivr.Calendar) Env {
	return Env{Clock: &fakeClock{now: openTime}, Language: "zh", Calendars: cals}
}

// harness drives a session and renders actions as short strings, so a test
// reads like the call script it checks.
type harness struct {
	t         *testing.T
	s         *Session
	lastTimer uint64
}

func newHarness(t *testing.T, flow *ivr.Flow, env Env) *harness {
	return &harness{t: t, s: NewSession(flow, env)}
}

func (h *harness) start() []string { return h.render(h.s.Start()) }

func (h *harness) send(ev Event) []string { return h.render(h.s.Handle(ev)) }

func (h *harness) done() []string { return h.send(PlaybackDone{}) }

func (h *harness) fire() []string { return h.send(TimerFired{ID: h.lastTimer}) }

func (h *harness) keys(digits string) []string {
	var out []string
	for _, d := range digits {
		out = append(out, h.send(Digit{D: d})...)
	}
	return out
}

func (h *harness) render(actions []Action) []string {
	out := []string{}
	for _, a := range actions {
		if st, ok := a.(StartTimer); ok {
			h.lastTimer = st.ID
		}
		out = append(out, describe(a))
	}
	return out
}

func describe(a Action) string {
	switch a := a.(type) {
	case NodeEntered:
		return "enter " + a.Node
	case Play:
		names := make([]string, len(a.Prompts))
		for i, p := range a.Prompts {
			names[i] = p.String()
		}
		verb := "play "
		if a.BargeIn {
			verb = "play! "
		}
		return verb + strings.Join(names, " ")
	case StopPlayback:
		return "stop"
	case StartTimer:
		return "timer " + a.After.String()
	case SetLanguage:
		return "lang " + a.Lang
	case EnterQueue:
		return fmt.Sprintf("queue %s %d", a.Queue, a.Priority)
	case Hangup:
		if a.SelfService {
			return "hangup " + a.Reason + " self-service"
		}
		return "hangup " + a.Reason
	}
	return fmt.Sprintf("%T", a)
}

func expect(t *testing.T, step string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\n got  %q\n want %q", step, got, want)
	}
}

// resolveYAML follows aliases and documents to the node they stand for, as
// the flow reader does.
func resolveYAML(n *yaml.Node) *yaml.Node {
	for depth := 0; n != nil && depth < 16; depth++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}
