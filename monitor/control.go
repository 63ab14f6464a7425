package monitor

import (
	"context"
	"errors"
	"fmt"

	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/web"
)

// Control is POST /api/v1/monitor's view of the Service: it rings the
// supervisor's registered phone and joins it to the agent's call when
// answered.
func (s *Service) Control() web.MonitorControl { return control{s} }

type control struct{ s *Service }

func (c control) StartMonitor(req web.MonitorRequest) (web.MonitorView, error) {
	s := c.s
	mode, err := mix.ParseMode(req.Mode)
	if err != nil {
		return web.MonitorView{}, err // the web layer validated the mode already
	}
	ms := &session{
		svc: s, supervisor: req.Supervisor, agent: req.Agent, mode: mode, via: "api",
		source: req.Source, actor: req.Token, log: s.deps.Log.With("supervisor", req.Supervisor, "agent", req.Agent),
	}
	if err := s.authorise(req.Supervisor, req.Agent); err != nil {
		ms.audit("monitor_refused", "", err.Error())
		if errors.Is(err, errNotAllowed) {
			return web.MonitorView{}, fmt.Errorf("%w: %v", web.ErrForbidden, err)
		}
		return web.MonitorView{}, fmt.Errorf("%w: %v", web.ErrNotFound, err)
	}
	talk, err := s.reserve(ms)
	if err != nil {
		ms.audit("monitor_refused", "", err.Error())
		if errors.Is(err, errAgentIdle) {
			return web.MonitorView{}, fmt.Errorf("%w: %v", web.ErrNotFound, err)
		}
		return web.MonitorView{}, fmt.Errorf("%w: %v", web.ErrConflict, err)
	}
	if !s.deps.Phones.Registered(req.Supervisor) {
		s.release(ms)
		return web.MonitorView{}, fmt.Errorf("%w: supervisor %s has no registered phone", web.ErrConflict, req.Supervisor)
	}
	go s.ringAndRun(ms, talk)
	return web.MonitorView{
		Supervisor: req.Supervisor, Agent: req.Agent, Mode: mode.String(), CallID: talk.callID, Status: "ringing",
	}, nil
}

// ringAndRun calls the supervisor; ringing stops when the agent's call
// ends first.
func (s *Service) ringAndRun(ms *session, talk *liveTalk) {
	defer s.release(ms)
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
	leg, hangup, err := s.deps.Phones.Ring(ctx, ms.supervisor, ms.agent)
	close(stopWatch)
	<-watched
	if err != nil {
		ms.log.Info("supervisor not reached", "err", err)
		ms.audit("monitor_refused", talk.callID, "supervisor not reached: "+err.Error())
		return
	}
	ms.run(talk, leg)
	hangup()
}
