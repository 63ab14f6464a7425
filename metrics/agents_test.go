package metrics

import (
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

// TestAgentSeriesFromScriptedEvents runs one agent through a shift and
// checks each figure against hand-computed values.
func TestAgentSeriesFromScriptedEvents(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := &stepClock{t: t0}
	m := New()
	if err := m.EnableAgentSeries(map[string]string{"1001": "logged_out", "1002": "paused"}, clock.now, nil); err != nil {
		t.Fatal(err)
	}
	s := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	events := []call.Event{
		stateEvent("1001", "logged_out", "available", s(60)), // 60 s logged out
		stateEvent("1001", "available", "ringing", s(100)),   // 40 s available
		{Kind: call.AgentAnswered, CallID: "c1", Agent: "1001", Queue: "billing", Time: s(104)},
		stateEvent("1001", "ringing", "talking", s(104)), // 4 s ringing
		{Kind: call.Held, CallID: "c1", Queue: "billing", Time: s(150)},
		stateEvent("1001", "talking", "hold", s(150)), // 46 s talking
		{Kind: call.Unheld, CallID: "c1", Queue: "billing", Time: s(180)},
		stateEvent("1001", "hold", "talking", s(180)), // 30 s hold
		{Kind: call.TalkEnded, CallID: "c1", Agent: "1001", Queue: "billing", Time: s(300)},
		stateEvent("1001", "talking", "wrapup", s(300)),   // 120 s talking
		stateEvent("1001", "wrapup", "available", s(330)), // 30 s wrap-up
		{Kind: call.CallEnded, CallID: "c1", Time: s(300)},
		// Second call: hung up while on hold.
		stateEvent("1001", "available", "ringing", s(400)), // 70 s available
		{Kind: call.AgentAnswered, CallID: "c2", Agent: "1001", Queue: "general", Time: s(402)},
		stateEvent("1001", "ringing", "talking", s(402)), // 2 s ringing
		{Kind: call.Held, CallID: "c2", Time: s(420)},
		stateEvent("1001", "talking", "hold", s(420)), // 18 s talking
		{Kind: call.TalkEnded, CallID: "c2", Agent: "1001", Queue: "general", Time: s(440)},
		stateEvent("1001", "hold", "wrapup", s(440)),   // 20 s hold
		stateEvent("1001", "wrapup", "paused", s(460)), // 20 s wrap-up; paused from then on
		// An agent that is not configured gets no series.
		stateEvent("9999", "logged_out", "available", s(10)),
		{Kind: call.AgentAnswered, CallID: "c3", Agent: "9999", Time: s(20)},
	}
	for _, e := range events {
		m.HandleEvent(e)
	}
	clock.set(s(600)) // 140 s paused so far for 1001; 600 s for 1002

	want := `
# HELP hotline_agent_calls_answered_total Queued calls the agent answered.
# TYPE hotline_agent_calls_answered_total counter
hotline_agent_calls_answered_total{agent="1001"} 2
hotline_agent_calls_answered_total{agent="1002"} 0
# HELP hotline_agent_hold_seconds_total Time the agent kept callers on hold; added when the talk ends.
# TYPE hotline_agent_hold_seconds_total counter
hotline_agent_hold_seconds_total{agent="1001"} 50
hotline_agent_hold_seconds_total{agent="1002"} 0
# HELP hotline_agent_talk_seconds_total Time the agent talked with callers, hold excluded; added when the talk ends.
# TYPE hotline_agent_talk_seconds_total counter
hotline_agent_talk_seconds_total{agent="1001"} 184
hotline_agent_talk_seconds_total{agent="1002"} 0
`
	names := []string{"hotline_agent_calls_answered_total", "hotline_agent_hold_seconds_total", "hotline_agent_talk_seconds_total"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// talk: c1 196 s answered→end minus 30 s hold = 166; c2 38 s minus 20 s = 18.
	wantStates := map[string]map[string]float64{
		"1001": {"logged_out": 60, "available": 110, "ringing": 6, "talking": 184, "hold": 50, "wrapup": 50, "paused": 140},
		"1002": {"logged_out": 0, "available": 0, "ringing": 0, "talking": 0, "hold": 0, "wrapup": 0, "paused": 600},
	}
	checkStateSeconds(t, m, wantStates)

	// Scraped later, the current state's time keeps growing.
	clock.set(s(660))
	wantStates["1001"]["paused"], wantStates["1002"]["paused"] = 200, 660
	checkStateSeconds(t, m, wantStates)
}

func checkStateSeconds(t *testing.T, m *Metrics, want map[string]map[string]float64) {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]float64{}
	for _, f := range families {
		if f.GetName() != "hotline_agent_state_seconds_total" {
			continue
		}
		for _, mm := range f.GetMetric() {
			var agent, state string
			for _, l := range mm.GetLabel() {
				switch l.GetName() {
				case "agent":
					agent = l.GetValue()
				case "state":
					state = l.GetValue()
				}
			}
			if got[agent] == nil {
				got[agent] = map[string]float64{}
			}
			got[agent][state] = mm.GetCounter().GetValue()
		}
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

// TestAgentStateSecondsNeverGoBack: a scrape may count past the time of
// an event that is published a moment later; the counter must hold.
func TestAgentStateSecondsNeverGoBack(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := &stepClock{t: t0.Add(10 * time.Second)}
	m := New()
	if err := m.EnableAgentSeries(map[string]string{"1001": "available"}, clock.now, nil); err != nil {
		t.Fatal(err)
	}
	clock.set(t0.Add(10 * time.Second))
	checkStateSeconds(t, m, map[string]map[string]float64{"1001": {"available": 0}})
	clock.set(t0.Add(30 * time.Second))
	checkStateSeconds(t, m, map[string]map[string]float64{"1001": {"available": 20}})
	// The state change happened at 25 s (5 s before the scrape at 30 s).
	m.HandleEvent(stateEvent("1001", "available", "paused", t0.Add(25*time.Second)))
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
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := &stepClock{t: t0}
	m := New()
	configured := map[string]bool{"1001": true, "1003": true}
	accept := func(id string) bool { return configured[id] }
	if err := m.EnableAgentSeries(map[string]string{"1001": "logged_out"}, clock.now, accept); err != nil {
		t.Fatal(err)
	}
	m.HandleEvent(stateEvent("1003", "logged_out", "available", t0.Add(100*time.Second)))
	m.HandleEvent(stateEvent("1003", "available", "paused", t0.Add(160*time.Second)))
	m.HandleEvent(stateEvent("7777", "logged_out", "available", t0.Add(100*time.Second)))
	clock.set(t0.Add(200 * time.Second))
	checkStateSeconds(t, m, map[string]map[string]float64{
		"1001": {"logged_out": 200},
		"1003": {"logged_out": 0, "available": 60, "paused": 40},
	})
}

// TestAgentSeriesAfterAttendedTransfer: each agent is credited with their
// own part of a call they handed over (attended) or received, as the stored
// call record counts it; the call counts as answered once, by 1001.
func TestAgentSeriesAfterAttendedTransfer(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := &stepClock{t: t0}
	m := New()
	if err := m.EnableAgentSeries(map[string]string{"1001": "available", "1002": "available"}, clock.now, nil); err != nil {
		t.Fatal(err)
	}
	s := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	for _, e := range []call.Event{
		{Kind: call.AgentAnswered, CallID: "c1", Agent: "1001", Queue: "billing", Time: s(10)},
		{Kind: call.Held, CallID: "c1", Time: s(40)}, // 1001 consults 1002: 10 s hold
		{Kind: call.Unheld, CallID: "c1", Time: s(50)},
		{Kind: call.Transferred, CallID: "c1", Agent: "1001", TransferKind: "attended", Target: "agent:1002", Time: s(100)},
		{Kind: call.TalkEnded, CallID: "c1", Agent: "1001", Reason: "transferred", Time: s(100)},
		{Kind: call.Held, CallID: "c1", Time: s(160)}, // 1002 holds 15 s
		{Kind: call.Unheld, CallID: "c1", Time: s(175)},
		{Kind: call.TalkEnded, CallID: "c1", Agent: "1002", Time: s(250)},
		{Kind: call.CallEnded, CallID: "c1", Time: s(250)},
		// A blind transfer hands the call to no agent: 1002 gets 20 s.
		{Kind: call.AgentAnswered, CallID: "c2", Agent: "1002", Queue: "billing", Time: s(300)},
		{Kind: call.Transferred, CallID: "c2", Agent: "1002", TransferKind: "blind", Target: "ivr:survey", Time: s(320)},
		{Kind: call.TalkEnded, CallID: "c2", Agent: "1002", Time: s(320)},
		{Kind: call.TalkEnded, CallID: "c2", Time: s(400)}, // nobody talks on
		// Handed to an agent without series: nobody is credited after.
		{Kind: call.AgentAnswered, CallID: "c3", Agent: "1001", Queue: "billing", Time: s(500)},
		{Kind: call.Transferred, CallID: "c3", Agent: "1001", TransferKind: "attended", Target: "agent:9999", Time: s(530)},
		{Kind: call.TalkEnded, CallID: "c3", Agent: "1001", Time: s(530)},
		{Kind: call.TalkEnded, CallID: "c3", Agent: "9999", Time: s(600)},
	} {
		m.HandleEvent(e)
	}
	// 1001: c1 90 s minus 10 s hold = 80, c3 30 s; 1002: c1 150 s minus
	// 15 s hold = 135, c2 20 s.
	want := `
# HELP hotline_agent_calls_answered_total Queued calls the agent answered.
# TYPE hotline_agent_calls_answered_total counter
hotline_agent_calls_answered_total{agent="1001"} 2
hotline_agent_calls_answered_total{agent="1002"} 1
# HELP hotline_agent_hold_seconds_total Time the agent kept callers on hold; added when the talk ends.
# TYPE hotline_agent_hold_seconds_total counter
hotline_agent_hold_seconds_total{agent="1001"} 10
hotline_agent_hold_seconds_total{agent="1002"} 15
# HELP hotline_agent_talk_seconds_total Time the agent talked with callers, hold excluded; added when the talk ends.
# TYPE hotline_agent_talk_seconds_total counter
hotline_agent_talk_seconds_total{agent="1001"} 110
hotline_agent_talk_seconds_total{agent="1002"} 155
`
	names := []string{"hotline_agent_calls_answered_total", "hotline_agent_hold_seconds_total", "hotline_agent_talk_seconds_total"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	if n := len(m.agents.Load().calls); n != 0 {
		t.Errorf("%d calls still tracked after every talk ended", n)
	}
}
