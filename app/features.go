package app

import (
	"fmt"
	"strings"

	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/monitor"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
)

// Disposition codes dialled after the disposition feature code: the first
// digit is the category, the second says whether the matter was resolved
// (1 yes, 0 no). *2541 is "complaint, resolved".
var dispositionCategories = map[byte]string{
	'1': "consult", '2': "repair", '3': "billing", '4': "complaint", '5': "suggestion",
}

// isFeature reports whether an agent's dialled number is a feature code.
func (s *Server) isFeature(number string) bool {
	f := s.cfg.Features
	switch number {
	case f.Login, f.Logout, f.Pause, f.Ready:
		return true
	}
	if _, _, ok := monitor.ParseCode(s.cfg.Monitor, number); ok {
		return true // a supervisor's *31 + agent (monitor_phone.go)
	}
	rest, ok := strings.CutPrefix(number, f.Disposition)
	return ok && len(rest) == 2
}

// feature carries out an agent's feature code and confirms it by voice.
func (s *Server) feature(c *sip.Call, leg *callleg.Leg) {
	agent, number := c.Agent, c.Number
	if mode, target, ok := monitor.ParseCode(s.cfg.Monitor, number); ok {
		s.monitorFromPhone(c, leg, mode, target)
		return
	}
	err := s.applyFeature(agent, number)
	confirm := "feature_failed"
	if err == nil {
		confirm = s.featureConfirmation(number)
	} else {
		c.Logger().Info("feature code refused", "agent", agent, "code", number, "err", err)
	}
	lang := s.cfg.DefaultLanguage
	leg.PlayAndWait([]ivr.PromptRef{{Lang: lang, Name: confirm}})
}

func (s *Server) applyFeature(agent, number string) error {
	if s.acd == nil {
		return fmt.Errorf("no queues configured")
	}
	f := s.cfg.Features
	var cmd queueing.Command
	switch number {
	case f.Login:
		return s.loginAgent(agent)
	case f.Logout:
		cmd = queueing.AgentLogout{Agent: agent}
	case f.Pause:
		cmd = queueing.AgentPause{Agent: agent, Reason: "break"}
	case f.Ready:
		cmd = queueing.AgentReady{Agent: agent}
	default:
		code := strings.TrimPrefix(number, f.Disposition)
		category, ok := dispositionCategories[code[0]]
		if !ok || (code[1] != '0' && code[1] != '1') {
			return fmt.Errorf("disposition code %q", code)
		}
		resolved := code[1] == '1'
		cmd = queueing.SetDisposition{Agent: agent, Category: category, Resolved: resolved}
	}
	return s.acd.Do(cmd)
}

func (s *Server) featureConfirmation(number string) string {
	f := s.cfg.Features
	switch number {
	case f.Login:
		return "logged_in"
	case f.Logout:
		return "logged_out"
	case f.Pause:
		return "paused"
	case f.Ready:
		return "ready"
	}
	return "disposition_saved"
}
