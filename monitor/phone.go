package monitor

import (
	"errors"
	"log/slog"

	"github.com/hotline-oss/hotline/media/mix"
)

// ServePhone serves a supervisor who dialled a monitor code and an agent's
// id (*31 1001, see ParseCode) from a registered softphone: that call, leg,
// becomes the supervisor's side of the session, and ServePhone returns
// when the session ends; the caller hangs the call up. Anyone else is
// refused by voice, and the refusal is audited too. source is where the
// phone registered from, for the audit log; log carries the call's
// fields.
func (s *Service) ServePhone(leg Leg, supervisor, agent string, mode mix.Mode, source string, log *slog.Logger) {
	ms := &session{
		svc: s, supervisor: supervisor, agent: agent, mode: mode, via: "sip",
		source: source, log: log.With("supervisor", supervisor, "agent", agent),
	}
	if err := s.authorise(supervisor, agent); err != nil {
		ms.log.Info("monitor refused", "err", err)
		ms.audit("monitor_refused", "", err.Error())
		prompt := "monitor_not_allowed"
		if errors.Is(err, errUnknownAgent) {
			prompt = "monitor_no_call"
		}
		s.play(leg, prompt)
		return
	}
	talk, err := s.reserve(ms)
	if err != nil {
		ms.log.Info("monitor refused", "err", err)
		ms.audit("monitor_refused", "", err.Error())
		prompt := "monitor_busy"
		if errors.Is(err, errAgentIdle) {
			prompt = "monitor_no_call"
		}
		s.play(leg, prompt)
		return
	}
	defer s.release(ms)
	ms.run(talk, leg)
}
