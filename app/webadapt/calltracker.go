package webadapt

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/web"
)

// Bounds of the call-info tracker. A call beyond maxTrackedCalls is still
// served; only its panel details (IVR path, variables) are missing.
const (
	maxTrackedCalls = 10000
	maxPathNodes    = 64
	maxVars         = 32
)

// CallTracker follows calls in progress from the event stream and keeps
// what an agent wants to know about the caller: number, IVR path, the
// variables the IVR collected, the queue and the wait. Each agent's last
// answered call is kept after the call ends, for the wrap-up and its
// disposition; that is bounded by the number of agents.
type CallTracker struct {
	mu      sync.Mutex
	calls   map[string]*trackedCall // call ID → call in progress
	last    map[string]*trackedCall // agent → last answered call
	skipped int                     // calls not tracked because of the cap
}

type trackedCall struct {
	id, caller, number string
	queue, language    string
	agent              string
	wait               time.Duration
	answered           time.Time
	talkEnded          time.Time
	onHold             bool
	path               []string
	vars               map[string]string
	disposition        *web.PanelDisposition
}

// NewCallTracker returns an empty tracker; subscribe it to the bus.
func NewCallTracker() *CallTracker {
	return &CallTracker{calls: make(map[string]*trackedCall), last: make(map[string]*trackedCall)}
}

// HandleEvent implements call.Subscriber.
func (t *CallTracker) HandleEvent(e call.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e.Kind == call.CallArrived {
		t.arrivedLocked(e)
		return
	}
	c := t.calls[e.CallID]
	if c == nil {
		c = t.lastCallLocked(e.Agent, e.CallID)
	}
	if c == nil {
		return
	}
	switch e.Kind {
	case call.IVRNodeEntered:
		if len(c.path) < maxPathNodes {
			c.path = append(c.path, e.Node)
		}
	case call.LanguageChanged:
		c.language = e.Language
	case call.QueueRequested, call.Queued:
		c.queue = e.Queue
		if e.Language != "" {
			c.language = e.Language
		}
	case call.AgentAnswered:
		c.agent, c.answered, c.wait, c.queue = e.Agent, e.Time, e.Wait, e.Queue
		t.last[e.Agent] = c
	case call.Held:
		c.onHold = true
	case call.Unheld:
		c.onHold = false
	case call.TalkEnded:
		c.talkEnded, c.onHold = e.Time, false
	case call.DispositionSet:
		c.disposition = &web.PanelDisposition{Category: e.Category, Resolved: e.Resolved}
	case call.CallEnded:
		// The agent's last call stays in t.last for the wrap-up.
		delete(t.calls, e.CallID)
	}
}

func (t *CallTracker) arrivedLocked(e call.Event) {
	if len(t.calls) >= maxTrackedCalls {
		t.skipped++
		return
	}
	t.calls[e.CallID] = &trackedCall{id: e.CallID, caller: e.Caller, number: e.Number, language: e.Language}
}

func (t *CallTracker) lastCallLocked(agent, callID string) *trackedCall {
	if agent == "" {
		return nil
	}
	if c := t.last[agent]; c != nil && c.id == callID {
		return c
	}
	return nil
}

// SetVars records what the IVR collected (account number, menu choices).
// A nil tracker ignores it, so the call flow need not check.
func (t *CallTracker) SetVars(callID string, vars map[string]string) {
	if t == nil || len(vars) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.calls[callID]
	if c == nil {
		return
	}
	if c.vars == nil {
		c.vars = make(map[string]string, len(vars))
	}
	for k, v := range vars {
		if _, ok := c.vars[k]; ok || len(c.vars) < maxVars {
			c.vars[k] = v
		}
	}
}

// forAgent returns the details of callID (the agent's ringing, connected
// or wrap-up call), or with callID empty the agent's last call.
func (t *CallTracker) forAgent(agent, callID string) (web.PanelCall, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.calls[callID]
	if c == nil {
		c = t.last[agent]
		if c == nil || (callID != "" && c.id != callID) {
			return web.PanelCall{}, false
		}
	}
	return c.panelCall(callID != ""), true
}

func (c *trackedCall) panelCall(current bool) web.PanelCall {
	out := web.PanelCall{
		CallID: c.id, Caller: c.caller, Number: c.number, Queue: c.queue, Language: c.language,
		OnHold: c.onHold, IVRPath: slices.Clone(c.path), Vars: maps.Clone(c.vars), Current: current,
	}
	if out.IVRPath == nil {
		out.IVRPath = []string{}
	}
	if out.Vars == nil {
		out.Vars = map[string]string{}
	}
	if !c.answered.IsZero() {
		at := c.answered
		out.AnsweredAt, out.WaitSeconds = &at, c.wait.Seconds()
	}
	if !c.talkEnded.IsZero() {
		at := c.talkEnded
		out.TalkEndedAt = &at
	}
	if c.disposition != nil {
		d := *c.disposition
		out.Disposition = &d
	}
	return out
}
