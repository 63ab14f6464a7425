package app

import (
	"fmt"
	"sync/atomic"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/app/webadapt"
	"github.com/hotline-oss/hotline/web"
)

// startAgentPanel turns on what serves agents one by one: the per-agent
// series, the call-info tracker and the /agent panel. Without queues there
// is no ACD and nothing to serve.
func (s *Server) startAgentPanel() error {
	if s.acd == nil {
		return nil
	}
	p := s.agentPanel(webadapt.NewCallTracker())
	s.bus.Subscribe(p.Calls)
	s.callInfo.p.Store(p.Calls)
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
type callInfoSlot struct {
	p atomic.Pointer[webadapt.CallTracker]
}

// setVars passes the IVR's variables of a call to the tracker, if any.
func (c *callInfoSlot) setVars(callID string, vars map[string]string) {
	c.p.Load().SetVars(callID, vars)
}
