package metrics

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
)

// agentSeries derives the per-agent series from the event stream. Only
// configured agents get series, so the agent label stays bounded; state
// time of the current state is added at scrape time from the injected
// clock, so a long pause shows up while it lasts.
type agentSeries struct {
	now    func() time.Time
	accept func(agent string) bool // agents added by a reload; nil: none

	mu     sync.Mutex
	agents map[string]*agentTally
	order  []string              // sorted agent ids, for a stable scrape
	calls  map[string]*agentCall // call ID → answered call not yet ended
	states map[string]int        // state name → index in AgentStates
	descs  [4]*prometheus.Desc
}

type agentTally struct {
	state    int // index in AgentStates
	since    time.Time
	seconds  []float64 // per state, closed periods only
	reported []float64 // per state, the last value scraped: counters never go back
	answered float64
	talk     float64
	hold     float64
}

// agentCall is one answered call until its talk ends.
type agentCall struct {
	agent     string
	answered  time.Time
	heldSince time.Time
	held      time.Duration
	// handOverTo: the colleague an attended transfer hands the caller to;
	// the next TalkEnded (the transferring agent's) starts their talk.
	handOverTo string
}

// EnableAgentSeries adds the per-agent series for the given agents, each
// starting in its current state. now is the clock the current state's time
// is measured with. accept, if set, admits agents added later (by a
// configuration reload) from their first state change; it must answer
// only for configured agents, which keeps the agent label bounded.
func (m *Metrics) EnableAgentSeries(initial map[string]string, now func() time.Time, accept func(agent string) bool) error {
	if now == nil {
		return errors.New("metrics: agent series: nil clock")
	}
	a := &agentSeries{
		now: now, accept: accept, agents: make(map[string]*agentTally, len(initial)),
		calls: make(map[string]*agentCall), states: make(map[string]int, len(AgentStates)),
	}
	for i, s := range AgentStates {
		a.states[s] = i
	}
	start := now()
	for id, state := range initial {
		idx, ok := a.states[state]
		if !ok {
			return fmt.Errorf("metrics: agent %s: unknown state %q", id, state)
		}
		a.add(id, idx, start)
	}
	a.descs = [4]*prometheus.Desc{
		prometheus.NewDesc("hotline_agent_calls_answered_total", "Queued calls the agent answered.", []string{"agent"}, nil),
		prometheus.NewDesc("hotline_agent_talk_seconds_total", "Time the agent talked with callers, hold excluded; added when the talk ends.", []string{"agent"}, nil),
		prometheus.NewDesc("hotline_agent_hold_seconds_total", "Time the agent kept callers on hold; added when the talk ends.", []string{"agent"}, nil),
		prometheus.NewDesc("hotline_agent_state_seconds_total", "Time the agent spent in each state, the current one up to the scrape.", []string{"agent", "state"}, nil),
	}
	if !m.agents.CompareAndSwap(nil, a) {
		return errors.New("metrics: agent series already enabled")
	}
	if err := m.registry.Register(a); err != nil {
		return fmt.Errorf("metrics: agent series: %w", err)
	}
	return nil
}

func (a *agentSeries) add(id string, state int, since time.Time) *agentTally {
	t := &agentTally{state: state, since: since,
		seconds: make([]float64, len(AgentStates)), reported: make([]float64, len(AgentStates))}
	a.agents[id] = t
	a.order = append(a.order, id)
	slices.Sort(a.order)
	return t
}

func (m *Metrics) agentEvent(e call.Event) {
	if a := m.agents.Load(); a != nil {
		a.handle(e)
	}
}

func (a *agentSeries) handle(e call.Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch e.Kind {
	case call.AgentStateChanged:
		a.stateChanged(e)
	case call.AgentAnswered:
		if t := a.agents[e.Agent]; t != nil {
			t.answered++
			a.calls[e.CallID] = &agentCall{agent: e.Agent, answered: e.Time}
		}
	case call.Held:
		if c := a.calls[e.CallID]; c != nil && c.heldSince.IsZero() {
			c.heldSince = e.Time
		}
	case call.Unheld:
		if c := a.calls[e.CallID]; c != nil && !c.heldSince.IsZero() {
			c.held += nonNegative(e.Time.Sub(c.heldSince))
			c.heldSince = time.Time{}
		}
	case call.Transferred:
		a.transferred(e)
	case call.TalkEnded:
		a.talkEnded(e)
	case call.CallEnded:
		// Normally gone at TalkEnded; this keeps the map bounded if a
		// TalkEnded was never published.
		delete(a.calls, e.CallID)
	}
}

func (a *agentSeries) stateChanged(e call.Event) {
	next, ok := a.states[e.State]
	if !ok {
		return
	}
	t := a.agents[e.Agent]
	if t == nil {
		prev, known := a.states[e.PrevState]
		if a.accept == nil || !known || !a.accept(e.Agent) {
			return
		}
		t = a.add(e.Agent, prev, e.Time)
	}
	// The time goes to the state the tally holds, which is the event's
	// PrevState unless an event was lost; then the tally is the better
	// witness of what was measured.
	// A scrape may have counted past e.Time already (events arrive a
	// moment after they happen); the counter must not go back.
	t.seconds[t.state] = max(t.seconds[t.state]+nonNegative(e.Time.Sub(t.since)).Seconds(), t.reported[t.state])
	if e.Time.After(t.since) {
		t.since = e.Time
	}
	t.state = next
}

func (a *agentSeries) talkEnded(e call.Event) {
	c := a.calls[e.CallID]
	if c == nil {
		return
	}
	delete(a.calls, e.CallID)
	if !c.heldSince.IsZero() {
		c.held += nonNegative(e.Time.Sub(c.heldSince))
	}
	t := a.agents[c.agent]
	total := nonNegative(e.Time.Sub(c.answered))
	t.talk += nonNegative(total - c.held).Seconds()
	t.hold += c.held.Seconds()
	// After an attended transfer the caller talks on with the colleague,
	// whose own talk and hold start here (as in the stored call record).
	if c.handOverTo != "" && a.agents[c.handOverTo] != nil {
		a.calls[e.CallID] = &agentCall{agent: c.handOverTo, answered: e.Time}
	}
}

// transferred notes the colleague of an attended transfer. The colleague's
// calls_answered does not count the call: it was answered once, by the
// agent who took it from the queue, so the agents' answers add up to the
// queue's answered calls and to the stored agent report (answered visits).
// Their talk and hold time do count, from the hand-over on.
func (a *agentSeries) transferred(e call.Event) {
	c := a.calls[e.CallID]
	if c == nil || e.TransferKind != "attended" {
		return
	}
	if to, ok := strings.CutPrefix(e.Target, "agent:"); ok && to != c.agent {
		c.handOverTo = to
	}
}

// Describe implements prometheus.Collector.
func (a *agentSeries) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range a.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (a *agentSeries) Collect(ch chan<- prometheus.Metric) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range a.order {
		t := a.agents[id]
		ch <- prometheus.MustNewConstMetric(a.descs[0], prometheus.CounterValue, t.answered, id)
		ch <- prometheus.MustNewConstMetric(a.descs[1], prometheus.CounterValue, t.talk, id)
		ch <- prometheus.MustNewConstMetric(a.descs[2], prometheus.CounterValue, t.hold, id)
		for i, s := range AgentStates {
			v := t.seconds[i]
			if i == t.state {
				v += nonNegative(now.Sub(t.since)).Seconds()
			}
			v = max(v, t.reported[i])
			t.reported[i] = v
			ch <- prometheus.MustNewConstMetric(a.descs[3], prometheus.CounterValue, v, id, s)
		}
	}
}

func nonNegative(d time.Duration) time.Duration { return max(d, 0) }
