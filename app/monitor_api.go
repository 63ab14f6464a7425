package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/web"
)

// monitorAPI is POST /api/v1/monitor: the server calls the supervisor's
// registered phone and joins it to the agent's call when answered.
type monitorAPI struct{ s *Server }

// mountMonitor adds the monitor API when there is an ACD to monitor.
func (s *Server) mountMonitor() {
	if s.acd != nil && s.monitors != nil {
		s.web.WithMonitor(monitorAPI{s}, apiTokens(s))
	}
}

func (a monitorAPI) StartMonitor(req web.MonitorRequest) (web.MonitorView, error) {
	s := a.s
	mode, err := media.ParseMonitorMode(req.Mode)
	if err != nil {
		return web.MonitorView{}, err // the web layer validated the mode already
	}
	ms := &monitorSession{
		reg: s.monitors, supervisor: req.Supervisor, agent: req.Agent, mode: mode, via: "api",
		source: req.Source, actor: req.Token, log: s.log.With("supervisor", req.Supervisor, "agent", req.Agent),
	}
	if err := s.monitors.authorise(req.Supervisor, req.Agent); err != nil {
		ms.audit("monitor_refused", "", err.Error())
		if errors.Is(err, errNotAllowed) {
			return web.MonitorView{}, fmt.Errorf("%w: %v", web.ErrForbidden, err)
		}
		return web.MonitorView{}, fmt.Errorf("%w: %v", web.ErrNotFound, err)
	}
	talk, err := s.monitors.reserve(ms)
	if err != nil {
		ms.audit("monitor_refused", "", err.Error())
		if errors.Is(err, errAgentIdle) {
			return web.MonitorView{}, fmt.Errorf("%w: %v", web.ErrNotFound, err)
		}
		return web.MonitorView{}, fmt.Errorf("%w: %v", web.ErrConflict, err)
	}
	if len(s.sip.Bindings(req.Supervisor)) == 0 {
		s.monitors.release(ms)
		return web.MonitorView{}, fmt.Errorf("%w: supervisor %s has no registered phone", web.ErrConflict, req.Supervisor)
	}
	go a.ringAndRun(ms, talk)
	return web.MonitorView{
		Supervisor: req.Supervisor, Agent: req.Agent, Mode: mode.String(), CallID: talk.callID, Status: "ringing",
	}, nil
}

// ringAndRun calls the supervisor; ringing stops when the agent's call
// ends first.
func (a monitorAPI) ringAndRun(ms *monitorSession, talk *liveTalk) {
	s := a.s
	defer s.monitors.release(ms)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopWatch, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-talk.ended:
			cancel()
		case <-stopWatch:
		}
	}()
	leg, err := s.sip.DialAgent(ctx, ms.supervisor, ms.agent, s.cfg.Monitor.RingTimeout)
	close(stopWatch)
	<-watched
	if err != nil {
		ms.log.Info("supervisor not reached", "err", err)
		ms.audit("monitor_refused", talk.callID, "supervisor not reached: "+err.Error())
		return
	}
	events, stop := pumpSupervisorLeg(leg)
	ms.run(talk, supervisorLeg{stream: leg.Media(), events: events})
	leg.Hangup()
	stop()
}

// pumpSupervisorLeg turns an outgoing leg's digits, end of playback and
// hang-up into the events a session reads; stop ends the pump.
func pumpSupervisorLeg(leg *sip.AgentLeg) (<-chan ivr.Event, func()) {
	events := make(chan ivr.Event, 8)
	done, exited := make(chan struct{}), make(chan struct{})
	st := leg.Media()
	go func() {
		defer close(exited)
		for {
			var ev ivr.Event
			select {
			case d := <-st.Digits():
				ev = ivr.Digit{D: d}
			case <-st.PlaybackDone():
				ev = ivr.PlaybackDone{}
			case <-leg.Done():
				ev = ivr.CallerHangup{}
			case <-done:
				return
			}
			select {
			case events <- ev:
			case <-done:
				return
			}
			if _, gone := ev.(ivr.CallerHangup); gone {
				return
			}
		}
	}()
	return events, func() { close(done); <-exited }
}
