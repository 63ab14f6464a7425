package acd

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fakeClock is moved by hand; nothing in the package reads the real time.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

// harness drives an ACD with a fake clock and records its events.
type harness struct {
	t      testing.TB
	clock  *fakeClock
	acd    *ACD
	events []call.Event
}

func newHarness(t testing.TB, cfg Config, opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t, clock: &fakeClock{t: epoch}}
	opts = append([]Option{
		WithObserver(func(e call.Event) { h.events = append(h.events, e) }),
		WithRandSource(rand.NewPCG(1, 2)),
	}, opts...)
	a, err := New(cfg, h.clock, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.acd = a
	return h
}

// ok fails the test on err and returns the actions.
func (h *harness) ok(acts []Action, err error) []Action {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("unexpected error: %v", err)
	}
	return acts
}

// advance moves the clock and runs Tick.
func (h *harness) advance(d time.Duration) []Action {
	h.clock.t = h.clock.t.Add(d)
	return h.acd.Tick()
}

func (h *harness) login(ids ...string) []Action {
	h.t.Helper()
	var all []Action
	for _, id := range ids {
		all = append(all, h.ok(h.acd.AgentLogin(id))...)
	}
	return all
}

func (h *harness) state(id string) State {
	h.t.Helper()
	info, err := h.acd.Agent(id)
	if err != nil {
		h.t.Fatal(err)
	}
	return info.State
}

func (h *harness) wantState(id string, want State) {
	h.t.Helper()
	if got := h.state(id); got != want {
		h.t.Fatalf("agent %s is %s, want %s", id, got, want)
	}
}

func (h *harness) eventsOf(kind call.Kind) []call.Event {
	var out []call.Event
	for _, e := range h.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func (h *harness) lastEvent(kind call.Kind) call.Event {
	h.t.Helper()
	evs := h.eventsOf(kind)
	if len(evs) == 0 {
		h.t.Fatalf("no %s event", kind)
	}
	return evs[len(evs)-1]
}

// wantActions compares actions exactly.
func wantActions(t testing.TB, got []Action, want ...Action) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("actions:\n got  %s\n want %s", fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want))
	}
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

// offers returns the Offer actions among acts.
func offers(acts []Action) []Offer {
	var out []Offer
	for _, a := range acts {
		if o, ok := a.(Offer); ok {
			out = append(out, o)
		}
	}
	return out
}

// offeredTo returns the single agent of the single offer among acts.
func offeredTo(t testing.TB, acts []Action) string {
	t.Helper()
	os := offers(acts)
	if len(os) != 1 || len(os[0].AgentIDs) != 1 {
		t.Fatalf("want one single-agent offer, got %+v", acts)
	}
	return os[0].AgentIDs[0]
}

// quietQueue is a queue with no timers but the ring timeout, so tests only
// see what they ask for.
func quietQueue(name string) QueueConfig {
	q := DefaultQueue(name)
	q.WrapUp, q.AnnounceEvery, q.BusyBackoff, q.AutoPauseAfter = 0, 0, 0, 0
	return q
}

// team builds a config of one queue and agents "1001".. serving it.
func team(q QueueConfig, n int) Config {
	cfg := Config{Queues: []QueueConfig{q}}
	for i := range n {
		id := fmt.Sprint(1001 + i)
		cfg.Agents = append(cfg.Agents, AgentConfig{
			ID: id, Name: "agent " + id, WorkNumber: fmt.Sprint(2001 + i), Queues: []string{q.Name},
		})
	}
	return cfg
}
