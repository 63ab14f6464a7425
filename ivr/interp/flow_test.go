package interp

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

func TestAnchorsAndEmptyTerminator(t *testing.T) {
	src := `
flows:
  main:
    start: a
    nodes:
      a: {type: collect, prompts: &ask [p1, en/p2], var: v, terminator: "", max: 4, next: b}
      b: {type: play, prompts: *ask, next: c}
      c: {type: hangup}
`
	flows, _, err := ivrtest.ParseConfig(t, "hotline.yaml", src, ivr.Validator{Languages: []string{"zh", "en"}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := flows["main"].Nodes["a"], flows["main"].Nodes["b"]
	if a.Terminator != 0 || len(b.Prompts) != 2 || b.Prompts[1].Lang != "en" {
		t.Fatalf("terminator %q, aliased prompts %+v", a.Terminator, b.Prompts)
	}
	h := newHarness(t, flows["main"], Env{Language: "zh"})
	h.start()
	h.done()
	// With no terminator, "#" is not a digit: a wrong entry.
	expect(t, "hash", h.keys("#"), "play! zh/p1 en/p2")
}

func TestSystemTimersStop(t *testing.T) {
	fired := make(chan struct{})
	tm := SystemTimers.AfterFunc(time.Hour, func() { close(fired) })
	if !tm.Stop() {
		t.Fatal("a pending timer should stop")
	}
	select {
	case <-fired:
		t.Fatal("stopped timer fired")
	default:
	}
}
