package app

import (
	"errors"

	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/sip"
)

// monitorFromPhone serves a supervisor who dialled a monitor code and an
// agent's id (*31 1001) from a registered softphone: the call itself
// becomes the supervisor's leg of the session. Anyone else is refused by
// voice, and the refusal is audited too.
func (s *Server) monitorFromPhone(c *sip.Call, leg *callLeg, mode media.MonitorMode, agent string) {
	sup := c.Agent
	ms := &monitorSession{
		reg: s.monitors, supervisor: sup, agent: agent, mode: mode, via: "sip",
		source: s.phoneSource(sup), log: c.Logger().With("supervisor", sup, "agent", agent),
	}
	sl := supervisorLeg{stream: c.Media(), events: leg.events}
	if s.monitors == nil {
		s.playToSupervisor(sl, "feature_failed")
		return
	}
	if err := s.monitors.authorise(sup, agent); err != nil {
		ms.log.Info("monitor refused", "err", err)
		ms.audit("monitor_refused", "", err.Error())
		prompt := "monitor_not_allowed"
		if errors.Is(err, errUnknownAgent) {
			prompt = "monitor_no_call"
		}
		s.playToSupervisor(sl, prompt)
		return
	}
	talk, err := s.monitors.reserve(ms)
	if err != nil {
		ms.log.Info("monitor refused", "err", err)
		ms.audit("monitor_refused", "", err.Error())
		prompt := "monitor_busy"
		if errors.Is(err, errAgentIdle) {
			prompt = "monitor_no_call"
		}
		s.playToSupervisor(sl, prompt)
		return
	}
	defer s.monitors.release(ms)
	ms.run(talk, sl)
}

// phoneSource is where a user's softphone registered from, for the audit
// log ("" when it is not registered, e.g. a call in a test without one).
func (s *Server) phoneSource(user string) string {
	if b := s.sip.Bindings(user); len(b) > 0 {
		return b[0].Source
	}
	return ""
}
