package metrics

import (
	"encoding/json"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

type windowClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *windowClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *windowClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// zone is a fixed UTC+1 so that midnight is unambiguous in tests.
var zone = time.FixedZone("UTC+1", 3600)

func at(day, hour, minute, second int) time.Time {
	return time.Date(2026, time.March, day, hour, minute, second, 0, zone)
}

func defined(v float64) Figure { return Figure{Value: v, Defined: true} }

var undefined = Figure{}

func sameFigure(a, b Figure) bool {
	return a.Defined == b.Defined && math.Abs(a.Value-b.Value) < 1e-9
}

// callEvents are four calls on billing with SL 20 s and short abandon 5 s:
// a answered in 10 s, b answered in 30 s, c abandoned after 3 s (short),
// d abandoned after 60 s, and e (two minutes later) answered in 15 s.
func callEvents() []call.Event {
	q := "billing"
	return []call.Event{
		{Kind: call.Queued, Queue: q, CallID: "a", Time: at(10, 9, 0, 0)},
		{Kind: call.Queued, Queue: q, CallID: "b", Time: at(10, 9, 0, 0)},
		{Kind: call.Queued, Queue: q, CallID: "c", Time: at(10, 9, 0, 0)},
		{Kind: call.Queued, Queue: q, CallID: "d", Time: at(10, 9, 0, 0)},
		{Kind: call.Abandoned, Queue: q, CallID: "c", Wait: 3 * time.Second, Time: at(10, 9, 0, 3)},
		{Kind: call.AgentAnswered, Queue: q, CallID: "a", Wait: 10 * time.Second, Time: at(10, 9, 0, 10)},
		{Kind: call.AgentAnswered, Queue: q, CallID: "b", Wait: 30 * time.Second, Time: at(10, 9, 0, 30)},
		{Kind: call.Abandoned, Queue: q, CallID: "d", Wait: 60 * time.Second, Time: at(10, 9, 1, 0)},
		{Kind: call.Queued, Queue: q, CallID: "e", Time: at(10, 9, 2, 0)},
		{Kind: call.AgentAnswered, Queue: q, CallID: "e", Wait: 15 * time.Second, Time: at(10, 9, 2, 15)},
		// Overflows and other kinds do not change the rolling figures.
		{Kind: call.Overflowed, Queue: q, CallID: "f", Wait: 90 * time.Second, Time: at(10, 9, 2, 20)},
	}
}

type wantFigures struct {
	sl, abandon, asa Figure
	offered          int64
}

func TestWindowCallFigures(t *testing.T) {
	// All five calls: offered 5, short 1 → base 4; within SL a, e → 2/4;
	// abandoned beyond short 1 → 1/4; ASA (10+30+15)/3.
	all := wantFigures{sl: defined(0.5), abandon: defined(0.25), asa: defined(55.0 / 3), offered: 5}
	// Only e (queued 09:02:00, answered 09:02:15).
	onlyE := wantFigures{sl: defined(1), abandon: defined(0), asa: defined(15), offered: 1}
	none := wantFigures{}
	tests := []struct {
		name string
		now  time.Time
		want map[Window]wantFigures
	}{
		{"all calls in every window", at(10, 9, 5, 0), map[Window]wantFigures{Window15m: all, Window30m: all, WindowToday: all}},
		// 15m at 09:16:05 starts at 09:01:10: the 09:00 and 09:01 events slid out.
		{"15m slid past the first calls", at(10, 9, 16, 5), map[Window]wantFigures{Window15m: onlyE, Window30m: all, WindowToday: all}},
		{"30m slid past the first calls", at(10, 9, 31, 5), map[Window]wantFigures{Window15m: none, Window30m: onlyE, WindowToday: all}},
		{"hours later only today remains", at(10, 12, 0, 0), map[Window]wantFigures{Window15m: none, Window30m: none, WindowToday: all}},
		{"next day starts empty", at(11, 0, 0, 1), map[Window]wantFigures{Window15m: none, Window30m: none, WindowToday: none}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &windowClock{}
			m := New()
			if err := m.EnableWindows(zone, clock, map[string]QueueThresholds{
				"billing": {ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second},
			}); err != nil {
				t.Fatal(err)
			}
			for _, e := range callEvents() {
				m.HandleEvent(e)
			}
			clock.set(tt.now)
			for win, want := range tt.want {
				got := m.WindowFigures(win)["billing"]
				if !sameFigure(got.ServiceLevel, want.sl) || !sameFigure(got.AbandonRate, want.abandon) ||
					!sameFigure(got.ASA, want.asa) || got.Offered != want.offered {
					t.Errorf("%s: SL %+v abandon %+v ASA %+v offered %d; want %+v", win,
						got.ServiceLevel, got.AbandonRate, got.ASA, got.Offered, want)
				}
			}
		})
	}
}

func TestWindowMidnightAttributesEventsToTheirMoment(t *testing.T) {
	clock := &windowClock{}
	m := New()
	if err := m.EnableWindows(zone, clock, nil); err != nil {
		t.Fatal(err)
	}
	// Queued a minute before midnight, answered 10 s after it in 70 s.
	m.HandleEvent(call.Event{Kind: call.Queued, Queue: "q", Time: at(10, 23, 59, 0)})
	m.HandleEvent(call.Event{Kind: call.AgentAnswered, Queue: "q", Wait: 70 * time.Second, Time: at(11, 0, 0, 10)})
	// Abandoned after 4 s (short by default) just after midnight.
	m.HandleEvent(call.Event{Kind: call.Queued, Queue: "q", Time: at(11, 0, 0, 20)})
	m.HandleEvent(call.Event{Kind: call.Abandoned, Queue: "q", Wait: 4 * time.Second, Time: at(11, 0, 0, 24)})
	clock.set(at(11, 0, 1, 0))

	today := m.WindowFigures(WindowToday)["q"]
	// Today: offered 1, short abandoned 1 → no base for SL or abandon rate,
	// but the answer after midnight counts for ASA.
	if today.ServiceLevel.Defined || today.AbandonRate.Defined || !sameFigure(today.ASA, defined(70)) {
		t.Errorf("today %+v: want SL and abandon rate undefined, ASA 70", today)
	}
	if today.Offered != 1 || today.Answered != 1 || today.ShortAbandoned != 1 {
		t.Errorf("today counts %+v", today)
	}
	// 15m spans midnight: offered 2, short 1 → base 1; answered in 70 s is
	// outside the 20 s SL.
	w := m.WindowFigures(Window15m)["q"]
	if !sameFigure(w.ServiceLevel, defined(0)) || !sameFigure(w.AbandonRate, defined(0)) || !sameFigure(w.ASA, defined(70)) {
		t.Errorf("15m %+v: want SL 0, abandon 0, ASA 70", w)
	}
}

func TestWindowLateAndUntimedEvents(t *testing.T) {
	clock := &windowClock{now: at(10, 9, 10, 0)}
	m := New()
	if err := m.EnableWindows(zone, clock, nil); err != nil {
		t.Fatal(err)
	}
	_ = m.WindowFigures(Window15m) // a scrape moves the window to 09:10
	// An event stamped before the last scrape lands in the current bucket.
	m.HandleEvent(call.Event{Kind: call.Queued, Queue: "q", Time: at(10, 8, 0, 0)})
	// An event without a time is taken at the clock's now.
	m.HandleEvent(call.Event{Kind: call.AgentAnswered, Queue: "q", Wait: 8 * time.Second})
	f := m.WindowFigures(Window15m)["q"]
	if f.Offered != 1 || f.Answered != 1 || !sameFigure(f.ServiceLevel, defined(1)) {
		t.Errorf("15m %+v: want the late offer and the untimed answer counted", f)
	}
}

// agentEvent is a state change of agent at t.
func agentEvent(agent, prev, state string, t time.Time) call.Event {
	return call.Event{Kind: call.AgentStateChanged, Agent: agent, PrevState: prev, State: state, Time: t}
}

func TestWindowOccupancy(t *testing.T) {
	clock := &windowClock{}
	m := New()
	err := m.EnableWindows(zone, clock, nil, WithAgentQueues(map[string][]string{
		"x": {"billing", "tech"}, "y": {"billing"}, "z": {"sales"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	events := []call.Event{
		// x: 30 s available, 90 s talking with 20 s hold inside, 30 s
		// wrap-up (not counted), 30 s available, then paused.
		agentEvent("x", "logged_out", "available", at(10, 9, 0, 0)),
		agentEvent("x", "available", "ringing", at(10, 9, 0, 25)),
		agentEvent("x", "ringing", "talking", at(10, 9, 0, 30)),
		agentEvent("x", "talking", "hold", at(10, 9, 1, 0)),
		agentEvent("x", "hold", "talking", at(10, 9, 1, 20)),
		agentEvent("x", "talking", "wrapup", at(10, 9, 2, 0)),
		agentEvent("x", "wrapup", "available", at(10, 9, 2, 30)),
		agentEvent("x", "available", "paused", at(10, 9, 3, 0)),
		// y: available from 09:00 on.
		agentEvent("y", "logged_out", "available", at(10, 9, 0, 0)),
		// z: available 08:50, talking from 08:59:03 on.
		agentEvent("z", "logged_out", "available", at(10, 8, 50, 0)),
		agentEvent("z", "available", "talking", at(10, 8, 59, 3)),
		// An agent of no known queue changes nothing.
		agentEvent("w", "logged_out", "available", at(10, 9, 0, 0)),
	}
	// The bus delivers events in the order they happened.
	slices.SortStableFunc(events, func(a, b call.Event) int { return a.Time.Compare(b.Time) })
	for _, e := range events {
		m.HandleEvent(e)
	}
	tests := []struct {
		now   time.Time
		win   Window
		queue string
		want  Figure
	}{
		// x alone: busy 30+20+40 = 90 s (ringing excluded), idle 25+30 = 55 s.
		{at(10, 9, 5, 0), Window15m, "tech", defined(90.0 / 145)},
		// billing adds y idle 09:00–09:05 = 300 s.
		{at(10, 9, 5, 0), Window15m, "billing", defined(90.0 / 445)},
		// 15m at 09:17 starts 09:02:10: x idle 20 s (09:02:30–09:03:00), no work.
		{at(10, 9, 17, 0), Window15m, "tech", defined(0)},
		// z talking across the whole 15m window (from 09:05:10).
		{at(10, 9, 20, 0), Window15m, "sales", defined(1)},
		// 30m from 08:50:10: idle 533 s, busy 1257 s.
		{at(10, 9, 20, 0), Window30m, "sales", defined(1257.0 / 1790)},
		// today from 08:50:00: idle 543 s, busy 1257 s.
		{at(10, 9, 20, 0), WindowToday, "sales", defined(1257.0 / 1800)},
	}
	for _, tt := range tests {
		clock.set(tt.now)
		got := m.WindowFigures(tt.win)[tt.queue].Occupancy
		if !sameFigure(got, tt.want) {
			t.Errorf("%s %s at %s: occupancy %+v, want %+v", tt.queue, tt.win, tt.now.Format(time.TimeOnly), got, tt.want)
		}
	}
	// Hours later, x is paused and y idle: billing is 0, tech has no time.
	clock.set(at(10, 13, 0, 0))
	if got := m.WindowFigures(Window15m)["tech"].Occupancy; got.Defined {
		t.Errorf("tech with a paused agent: occupancy %+v, want undefined", got)
	}
	if got := m.WindowFigures(Window15m)["billing"].Occupancy; !sameFigure(got, defined(0)) {
		t.Errorf("billing with an idle agent: occupancy %+v, want 0", got)
	}
}

func TestWindowOccupancyAcrossMidnight(t *testing.T) {
	clock := &windowClock{}
	m := New()
	if err := m.EnableWindows(zone, clock, nil, WithAgentQueues(map[string][]string{"x": {"q"}})); err != nil {
		t.Fatal(err)
	}
	m.HandleEvent(agentEvent("x", "logged_out", "available", at(10, 23, 59, 0)))
	m.HandleEvent(agentEvent("x", "available", "talking", at(11, 0, 0, 30)))
	clock.set(at(11, 0, 1, 0))
	// Today: idle 00:00:00–00:00:30, busy 00:00:30–00:01:00.
	if got := m.WindowFigures(WindowToday)["q"].Occupancy; !sameFigure(got, defined(0.5)) {
		t.Errorf("today occupancy %+v, want 0.5", got)
	}
	// 15m from 23:46:10: idle 90 s, busy 30 s.
	if got := m.WindowFigures(Window15m)["q"].Occupancy; !sameFigure(got, defined(0.25)) {
		t.Errorf("15m occupancy %+v, want 0.25", got)
	}
}

func TestWindowOptionsAndFigureJSON(t *testing.T) {
	if err := New().EnableWindows(nil, &windowClock{}, nil); err == nil {
		t.Error("EnableWindows without a location: want an error")
	}
	if err := New().EnableWindows(zone, &windowClock{}, nil, WithServiceLevelTargets(map[string]float64{"q": 1.5})); err == nil {
		t.Error("service level target 1.5: want an error")
	}
	m := New()
	if err := m.EnableWindows(zone, &windowClock{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.EnableWindows(zone, &windowClock{}, nil); err == nil {
		t.Error("enabling windows twice: want a registration error")
	}
	b, err := json.Marshal([]Figure{undefined, defined(0.25)})
	if err != nil || string(b) != "[null,0.25]" {
		t.Errorf("figures marshal to %s, %v; want [null,0.25]", b, err)
	}
}
