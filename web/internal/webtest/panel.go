package webtest

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// PanelSource is an ACD of a few agents with scripted state.
type PanelSource struct {
	mu    sync.Mutex
	Views map[string]*agentpanel.PanelView
	log   []string // "agent action arg", in order
}

// NewPanelSource has the agents ids, logged out, in queue general.
func NewPanelSource(ids ...string) *PanelSource {
	f := &PanelSource{Views: map[string]*agentpanel.PanelView{}}
	for _, id := range ids {
		f.Views[id] = &agentpanel.PanelView{Agent: rest.AgentView{ID: id, Name: "Agent " + id, State: "logged_out", Queues: []string{"general"}}}
	}
	return f
}

func (f *PanelSource) PanelView(agent string) (agentpanel.PanelView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.Views[agent]
	if !ok {
		return agentpanel.PanelView{}, fmt.Errorf("%w: agent %s", webkit.ErrNotFound, agent)
	}
	out := *v
	if v.Call != nil {
		c := *v.Call
		out.Call = &c
	}
	return out, nil
}

func (f *PanelSource) set(agent, state, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.Views[agent]
	if !ok {
		return webkit.ErrNotFound
	}
	if state != "available" && state != "logged_out" && v.Agent.State == "logged_out" {
		return errors.New("acd: invalid agent state transition: logged_out on pause")
	}
	v.Agent.State, v.Agent.Reason = state, reason
	f.log = append(f.log, strings.TrimSpace(agent+" "+state+" "+reason))
	return nil
}

// Edit changes agent's view under the fake's lock.
func (f *PanelSource) Edit(agent string, change func(v *agentpanel.PanelView)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f.Views[agent])
}

// SetCall gives agent a call (nil: none).
func (f *PanelSource) SetCall(agent string, c *agentpanel.PanelCall) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Views[agent].Call = c
}

func (f *PanelSource) Login(a string) error    { return f.set(a, "available", "") }
func (f *PanelSource) Logout(a string) error   { return f.set(a, "logged_out", "") }
func (f *PanelSource) Ready(a string) error    { return f.set(a, "available", "") }
func (f *PanelSource) Pause(a, r string) error { return f.set(a, "paused", r) }

// Actions are the commands the panel gave, "agent action arg", in order.
func (f *PanelSource) Actions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}
func (f *PanelSource) Disposition(a, c string, r bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.Views[a]
	if v == nil || v.Call == nil {
		return errors.New("acd: disposition: agent has no call")
	}
	v.Call.Disposition = &agentpanel.PanelDisposition{Category: c, Resolved: r}
	f.log = append(f.log, fmt.Sprintf("%s disposition %s %v", a, c, r))
	return nil
}

// PanelPasswords are the passwords of agents 1001 and 1002.
var PanelPasswords = agentpanel.PanelPasswords(func(id string) (string, bool) {
	pw, ok := map[string]string{"1001": "pw1001", "1002": "pw1002"}[id]
	return pw, ok
})
