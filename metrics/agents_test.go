package metrics

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/call"
)

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func stateEvent(agent, prev, next string, at time.Time) call.Event {
	return call.Event{Kind: call.AgentStateChanged, Agent: agent, PrevState: prev, State: next, Time: at}
}

// shiftStart is when the agent series tests' scripts begin.
var shiftStart = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// shiftAt is the instant sec seconds into a script.
func shiftAt(sec int) time.Time { return shiftStart.Add(time.Duration(sec) * time.Second) }

// newAgentMetrics turns the agent series on for agents in their initial
// states, read at a clock that stands at shiftAt(startSec); accept is
// EnableAgentSeries's.
func newAgentMetrics(t *testing.T, startSec int, initial map[string]string, accept func(string) bool) (*Metrics, *stepClock) {
	t.Helper()
	clock := &stepClock{t: shiftAt(startSec)}
	m := New()
	if err := m.EnableAgentSeries(initial, clock.now, accept); err != nil {
		t.Fatal(err)
	}
	return m, clock
}

// TestAgentSeriesFromScriptedEvents runs one agent through a shift and
// checks each figure against hand-computed values.
func TestAgentSeriesFromScriptedEvents(t *testing.T) {
	m, clock := newAgentMetrics(t, 0, map[string]string{"1001": "logged_out", "1002": "paused"}, nil)
	events := []call.Event{
		stateEvent("1001", "logged_out", "available", shiftAt(60)), // 60 s logged out
		stateEvent("1001", "available", "ringing", shiftAt(100)),   // 40 s available
		{Kind: call.AgentAnswered, CallID: "c1", Agent: "1001", Queue: "billing", Time: shiftAt(104)},
		stateEvent("1001", "ringing", "talking", shiftAt(104)), // 4 s ringing
		{Kind: call.Held, CallID: "c1", Queue: "billing", Time: shiftAt(150)},
		stateEvent("1001", "talking", "hold", shiftAt(150)), // 46 s talking
		{Kind: call.Unheld, CallID: "c1", Queue: "billing", Time: shiftAt(180)},
		stateEvent("1001", "hold", "talking", shiftAt(180)), // 30 s hold
		{Kind: call.TalkEnded, CallID: "c1", Agent: "1001", Queue: "billing", Time: shiftAt(300)},
		stateEvent("1001", "talking", "wrapup", shiftAt(300)),   // 120 s talking
		stateEvent("1001", "wrapup", "available", shiftAt(330)), // 30 s wrap-up
		{Kind: call.CallEnded, CallID: "c1", Time: shiftAt(300)},
		// Second call: hung up while on hold.
		stateEvent("1001", "available", "ringing", shiftAt(400)), // 70 s available
		{Kind: call.AgentAnswered, CallID: "c2", Agent: "1001", Queue: "general", Time: shiftAt(402)},
		stateEvent("1001", "ringing", "talking", shiftAt(402)), // 2 s ringing
		{Kind: call.Held, CallID: "c2", Time: shiftAt(420)},
		stateEvent("1001", "talking", "hold", shiftAt(420)), // 18 s talking
		{Kind: call.TalkEnded, CallID: "c2", Agent: "1001", Queue: "general", Time: shiftAt(440)},
		stateEvent("1001", "hold", "wrapup", shiftAt(440)),   // 20 s hold
		stateEvent("1001", "wrapup", "paused", shiftAt(460)), // 20 s wrap-up; paused from then on
		// An agent that is not configured gets no series.
		stateEvent("9999", "logged_out", "available", shiftAt(10)),
		{Kind: call.AgentAnswered, CallID: "c3", Agent: "9999", Time: shiftAt(20)},
	}
	for _, e := range events {
		m.HandleEvent(e)
	}
	clock.set(shiftAt(600)) // 140 s paused so far for 1001; 600 s for 1002

	checkCallTotals(t, m, map[string]callTotals{"1001": {answered: 2, holdSec: 50, talkSec: 184}, "1002": {}})
	// talk: c1 196 s answered→end minus 30 s hold = 166; c2 38 s minus 20 s = 18.
	wantStates := map[string]map[string]float64{
		"1001": {"logged_out": 60, "available": 110, "ringing": 6, "talking": 184, "hold": 50, "wrapup": 50, "paused": 140},
		"1002": {"logged_out": 0, "available": 0, "ringing": 0, "talking": 0, "hold": 0, "wrapup": 0, "paused": 600},
	}
	checkStateSeconds(t, m, wantStates)

	// Scraped later, the current state's time keeps growing.
	clock.set(shiftAt(660))
	wantStates["1001"]["paused"], wantStates["1002"]["paused"] = 200, 660
	checkStateSeconds(t, m, wantStates)
}

func checkStateSeconds(t *testing.T, m *Metrics, want map[string]map[string]float64) {
	t.Helper()
	got := map[string]map[string]float64{}
	for _, mm := range familySeries(t, m, "hotline_agent_state_seconds_total") {
		labels := labelMap(mm)
		agent, state := labels["agent"], labels["state"]
		if got[agent] == nil {
			got[agent] = map[string]float64{}
		}
		got[agent][state] = mm.GetCounter().GetValue()
	}
	for agent, states := range want {
		for state, v := range states {
			if got[agent][state] != v {
				t.Errorf("state seconds %s %s = %v, want %v", agent, state, got[agent][state], v)
			}
		}
		if len(got[agent]) != len(AgentStates) {
			t.Errorf("agent %s has %d state series, want %d", agent, len(got[agent]), len(AgentStates))
		}
	}
	if len(got) != len(want) {
		t.Errorf("series for agents %v, want only the configured ones", got)
	}
}

// callTotals are one agent's call counters: queued calls answered, and
// seconds of hold and of talk.
type callTotals struct{ answered, holdSec, talkSec int }

// checkCallTotals compares the agents' call counters, HELP and TYPE lines
// included, with want, which names every agent that has series.
func checkCallTotals(t *testing.T, m *Metrics, want map[string]callTotals) {
	t.Helper()
	agents := slices.Sorted(maps.Keys(want))
	var b strings.Builder
	family := func(name, help string, value func(callTotals) int) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name)
		for _, a := range agents {
			fmt.Fprintf(&b, "%s{agent=%q} %d\n", name, a, value(want[a]))
		}
	}
	family("hotline_agent_calls_answered_total", "Queued calls the agent answered.",
		func(c callTotals) int { return c.answered })
	family("hotline_agent_hold_seconds_total", "Time the agent kept callers on hold; added when the talk ends.",
		func(c callTotals) int { return c.holdSec })
	family("hotline_agent_talk_seconds_total", "Time the agent talked with callers, hold excluded; added when the talk ends.",
		func(c callTotals) int { return c.talkSec })
	names := []string{"hotline_agent_calls_answered_total", "hotline_agent_hold_seconds_total", "hotline_agent_talk_seconds_total"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(b.String()), names...); err != nil {
		t.Error(err)
	}
}

// TestAgentStateSecondsNeverGoBack: a scrape may count past the time of
// an event that is published a moment later; the counter must hold.
func TestAgentStateSecondsNeverGoBack(t *testing.T) {
	m, clock := newAgentMetrics(t, 10, map[string]string{"1001": "available"}, nil)
	clock.set(shiftAt(10))
	checkStateSeconds(t, m, map[string]map[string]float64{"1001": {"available": 0}})
	clock.set(shiftAt(30))
	checkStateSeconds(t, m, map[string]map[string]float64{"1001": {"available": 20}})
	// The state change happened at 25 s (5 s before the scrape at 30 s).
	m.HandleEvent(stateEvent("1001", "available", "paused", shiftAt(25)))
	checkStateSeconds(t, m, map[string]map[string]float64{"1001": {"available": 20, "paused": 5}})
}

func TestEnableAgentSeriesRefusesNonsense(t *testing.T) {
	m := New()
	now := func() time.Time { return time.Time{} }
	if err := m.EnableAgentSeries(map[string]string{"1001": "asleep"}, now, nil); err == nil {
		t.Error("unknown state accepted")
	}
	if err := m.EnableAgentSeries(map[string]string{"1001": "available"}, nil, nil); err == nil {
		t.Error("nil clock accepted")
	}
	if err := m.EnableAgentSeries(map[string]string{"1001": "available"}, now, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.EnableAgentSeries(map[string]string{"1001": "available"}, now, nil); err == nil {
		t.Error("enabled twice")
	}
}

// TestAgentAddedByReloadGetsSeries: an agent the configuration gained
// after start counts from its first state change; others stay out.
func TestAgentAddedByReloadGetsSeries(t *testing.T) {
	configured := map[string]bool{"1001": true, "1003": true}
	accept := func(id string) bool { return configured[id] }
	m, clock := newAgentMetrics(t, 0, map[string]string{"1001": "logged_out"}, accept)
	m.HandleEvent(stateEvent("1003", "logged_out", "available", shiftAt(100)))
	m.HandleEvent(stateEvent("1003", "available", "paused", shiftAt(160)))
	m.HandleEvent(stateEvent("7777", "logged_out", "available", shiftAt(100)))
	clock.set(shiftAt(200))
	checkStateSeconds(t, m, map[string]map[string]float64{
		"1001": {"logged_out": 200},
		"1003": {"logged_out": 0, "available": 60, "paused": 40},
	})
}

// TestAgentSeriesAfterAttendedTransfer: each agent is credited with their
// own part of a call they handed over (attended) or received, as the stored
// call record counts it; the call counts as answered once, by 1001.
func TestAgentSeriesAfterAttendedTransfer(t *testing.T) {
	m, _ := newAgentMetrics(t, 0, map[string]string{"1001": "available", "1002": "available"}, nil)
	for _, e := range []call.Event{
		{Kind: call.AgentAnswered, CallID: "c1", Agent: "1001", Queue: "billing", Time: shiftAt(10)},
		{Kind: call.Held, CallID: "c1", Time: shiftAt(40)}, // 1001 consults 1002: 10 s hold
		{Kind: call.Unheld, CallID: "c1", Time: shiftAt(50)},
		{Kind: call.Transferred, CallID: "c1", Agent: "1001", TransferKind: "attended", Target: "agent:1002", Time: shiftAt(100)},
		{Kind: call.TalkEnded, CallID: "c1", Agent: "1001", Reason: "transferred", Time: shiftAt(100)},
		{Kind: call.Held, CallID: "c1", Time: shiftAt(160)}, // 1002 holds 15 s
		{Kind: call.Unheld, CallID: "c1", Time: shiftAt(175)},
		{Kind: call.TalkEnded, CallID: "c1", Agent: "1002", Time: shiftAt(250)},
		{Kind: call.CallEnded, CallID: "c1", Time: shiftAt(250)},
		// A blind transfer hands the call to no agent: 1002 gets 20 s.
		{Kind: call.AgentAnswered, CallID: "c2", Agent: "1002", Queue: "billing", Time: shiftAt(300)},
		{Kind: call.Transferred, CallID: "c2", Agent: "1002", TransferKind: "blind", Target: "ivr:survey", Time: shiftAt(320)},
		{Kind: call.TalkEnded, CallID: "c2", Agent: "1002", Time: shiftAt(320)},
		{Kind: call.TalkEnded, CallID: "c2", Time: shiftAt(400)}, // nobody talks on
		// Handed to an agent without series: nobody is credited after.
		{Kind: call.AgentAnswered, CallID: "c3", Agent: "1001", Queue: "billing", Time: shiftAt(500)},
		{Kind: call.Transferred, CallID: "c3", Agent: "1001", TransferKind: "attended", Target: "agent:9999", Time: shiftAt(530)},
		{Kind: call.TalkEnded, CallID: "c3", Agent: "1001", Time: shiftAt(530)},
		{Kind: call.TalkEnded, CallID: "c3", Agent: "9999", Time: shiftAt(600)},
	} {
		m.HandleEvent(e)
	}
	// 1001: c1 90 s minus 10 s hold = 80, c3 30 s; 1002: c1 150 s minus
	// 15 s hold = 135, c2 20 s.
	checkCallTotals(t, m, map[string]callTotals{
		"1001": {answered: 2, holdSec: 10, talkSec: 110},
		"1002": {answered: 1, holdSec: 15, talkSec: 155},
	})
	if n := len(m.agents.Load().calls); n != 0 {
		t.Errorf("%d calls still tracked after every talk ended", n)
	}
}
