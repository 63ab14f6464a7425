package interp

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

// loadDemo reads the demo flow the ivr package keeps in its testdata.
func loadDemo(t testing.TB) (map[string]*ivr.Flow, map[string]*ivr.Calendar) {
	t.Helper()
	return ivrtest.LoadDemo(t, "../testdata/demo_flow.yaml")
}

// openTime is a Wednesday 10:00 in Shanghai: the office is open.
var openTime = ivrtest.UTC("2026-03-04T02:00:00Z")

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
