package app

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/web"
)

// agentPanel is the agent panel's view of the ACD and of the calls in
// progress; commands go through the same path as the REST API's.
type agentPanel struct {
	agentControl
	calls  *callTracker
	wrapup map[string]time.Duration // queue → wrap-up time
}

// startAgentPanel turns on what serves agents one by one: the per-agent
// series, the call-info tracker and the /agent panel. Without queues there
// is no ACD and nothing to serve.
func (s *Server) startAgentPanel() error {
	if s.acd == nil {
		return nil
	}
	p := agentPanel{agentControl: agentControl{s}, calls: newCallTracker(), wrapup: map[string]time.Duration{}}
	for _, q := range s.compiled.acd.Queues {
		p.wrapup[q.Name] = q.WrapUp
	}
	s.bus.Subscribe(p.calls)
	s.callInfo.p.Store(p.calls)
	// Agents a reload adds get series too; only configured ones answer.
	isAgent := func(id string) bool { _, ok := s.agentPassword(id); return ok }
	if err := s.metrics.EnableAgentSeries(s.agentStates(), s.clock.Now, isAgent); err != nil {
		return fmt.Errorf("agent panel: %w", err)
	}
	// The panel takes the SIP password, as of the last reload.
	opts := []web.PanelOption{web.WithPanelClock(s.clock.Now), web.WithPauseReasons(s.cfg.AgentPanel.Reasons()),
		web.WithDispositionCategories(acd.Categories)}
	if s.quality != nil {
		opts = append(opts, web.WithPanelReviews(s.quality, s.cfg.ReportLocation()))
	}
	if s.tickets != nil {
		opts = append(opts, web.WithPanelTickets(s.tickets)) // the ticket form and the caller's history
	}
	err := s.web.WithAgentPanel(p, s.agentPassword, opts...)
	if err != nil {
		return fmt.Errorf("agent panel: %w", err)
	}
	return nil
}

// agentStates is every agent's state now, so the per-agent series start
// right after agents restored from the store.
func (s *Server) agentStates() map[string]string {
	agents := s.acd.Agents()
	out := make(map[string]string, len(agents))
	for _, a := range agents {
		out[a.ID] = a.State.String()
	}
	return out
}

// callInfoSlot hands the tracker to the call flow once the panel starts;
// calls already running then simply have no collected variables to show.
type callInfoSlot struct{ p atomic.Pointer[callTracker] }

// setVars passes the IVR's variables of a call to the tracker, if any.
func (c *callInfoSlot) setVars(callID string, vars map[string]string) {
	c.p.Load().setVars(callID, vars)
}

// PanelView implements web.AgentPanelSource.
func (p agentPanel) PanelView(id string) (web.PanelView, error) {
	info, err := p.s.acd.Agent(id)
	if errors.Is(err, acd.ErrUnknownAgent) {
		return web.PanelView{}, fmt.Errorf("%w: agent %s", web.ErrNotFound, id)
	}
	if err != nil {
		return web.PanelView{}, fmt.Errorf("agent panel: agent %s: %w", id, err)
	}
	v := web.PanelView{Agent: web.AgentView{
		ID: info.ID, Name: info.Name, WorkNumber: info.WorkNumber, State: info.State.String(), Since: info.Since,
		Reason: info.Reason, CallID: info.CallID, Queue: info.Queue, CallsToday: info.CallsToday,
		Queues:     slices.DeleteFunc(slices.Clone(info.Queues), queueing.IsPersonalQueue),
		Registered: len(p.s.sip.Bindings(info.ID)) > 0,
	}}
	if v.Agent.Queues == nil {
		v.Agent.Queues = []string{}
	}
	if c, ok := p.calls.forAgent(id, info.CallID); ok {
		v.Call = &c
	}
	v.QueueNames = p.queueNames(v)
	if info.State == acd.Wrapup {
		if d := p.wrapup[info.Queue]; d > 0 {
			until := info.Since.Add(d)
			v.WrapupUntil = &until
		}
	}
	return v, nil
}

// The panel's commands are the REST API's (agentControl).

// queueNames gives the display name of every queue the view names.
func (p agentPanel) queueNames(v web.PanelView) map[string]string {
	names := make(map[string]string, len(v.Agent.Queues)+1)
	for _, q := range v.Agent.Queues {
		names[q] = p.s.metrics.DisplayName(q)
	}
	if v.Call != nil && v.Call.Queue != "" {
		names[v.Call.Queue] = p.s.metrics.DisplayName(v.Call.Queue)
	}
	return names
}
