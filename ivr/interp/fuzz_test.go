package interp

import (
	"os"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

// FuzzParseFlows feeds arbitrary YAML to the parser and validator, and runs
// any flow that survives with a scripted burst of events: nothing may panic,
// and every accepted flow must end or keep waiting without looping.
func FuzzParseFlows(f *testing.F) {
	demo, err := os.ReadFile("../testdata/demo_flow.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte("flows:\n  m:\n    start: a\n    nodes:\n      a: {type: goto, next: a}\n"))
	f.Add([]byte("flows:\n  m:\n    start: a\n    nodes:\n      a: &x {type: menu, prompts: [p], options: {\"1\": b}}\n      b: *x\n"))
	f.Add([]byte("calendars:\n  c: {timezone: UTC, hours: {fri-mon: \"00:00-24:00\"}}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		// ParseConfig fails the test on YAML that does not parse; the
		// fuzzer only wants to know what the flow reader makes of the rest.
		if yaml.Unmarshal(src, new(yaml.Node)) != nil {
			return
		}
		flows, cals, err := ivrtest.ParseConfig(t, "f.yaml", string(src), ivr.Validator{Languages: []string{"zh", "en"}})
		if err != nil {
			return
		}
		for _, fl := range flows {
			s := NewSession(fl, Env{Clock: &fakeClock{now: openTime}, Language: "zh", Calendars: cals})
			s.Start()
			for i, ev := range []Event{PlaybackDone{}, Digit{D: '1'}, TimerFired{ID: 1}, PlaybackDone{}, Digit{D: '#'}, TimerFired{ID: 2}} {
				if s.Done() {
					break
				}
				if len(s.Path()) > (i+1)*MaxHops {
					t.Fatalf("path grew to %d nodes", len(s.Path()))
				}
				s.Handle(ev)
			}
		}
	})
}
