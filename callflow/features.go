package callflow

import (
	"fmt"
	"strings"

	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media/mix"
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
func (f *Flow) isFeature(number string) bool {
	codes := f.d.Features
	switch number {
	case codes.Login, codes.Logout, codes.Pause, codes.Ready:
		return true
	}
	if _, _, ok := f.monitorCode(number); ok {
		return true // a supervisor's *31 + agent (the monitor feature)
	}
	rest, ok := strings.CutPrefix(number, codes.Disposition)
	return ok && len(rest) == 2
}

// feature carries out an agent's feature code and confirms it by voice.
func (f *Flow) feature(c *sip.Call, leg *callleg.Leg) {
	agent, number := c.Agent, c.Number
	if mode, target, ok := f.monitorCode(number); ok {
		if f.d.MonitorPhone == nil {
			leg.PlayAndWait([]ivr.PromptRef{{Lang: f.d.DefaultLanguage, Name: "feature_failed"}})
			return
		}
		f.d.MonitorPhone(c, leg, mode, target)
		return
	}
	err := f.applyFeature(agent, number)
	confirm := "feature_failed"
	if err == nil {
		confirm = f.featureConfirmation(number)
	} else {
		c.Logger().Info("feature code refused", "agent", agent, "code", number, "err", err)
	}
	lang := f.d.DefaultLanguage
	leg.PlayAndWait([]ivr.PromptRef{{Lang: lang, Name: confirm}})
}

func (f *Flow) applyFeature(agent, number string) error {
	if f.d.Queueing == nil {
		return fmt.Errorf("no queues configured")
	}
	codes := f.d.Features
	var cmd queueing.Command
	switch number {
	case codes.Login:
		cmd = queueing.AgentLogin{Agent: agent}
	case codes.Logout:
		cmd = queueing.AgentLogout{Agent: agent}
	case codes.Pause:
		cmd = queueing.AgentPause{Agent: agent, Reason: "break"}
	case codes.Ready:
		cmd = queueing.AgentReady{Agent: agent}
	default:
		code := strings.TrimPrefix(number, codes.Disposition)
		category, ok := dispositionCategories[code[0]]
		if !ok || (code[1] != '0' && code[1] != '1') {
			return fmt.Errorf("disposition code %q", code)
		}
		resolved := code[1] == '1'
		cmd = queueing.SetDisposition{Agent: agent, Category: category, Resolved: resolved}
	}
	return f.d.Queueing.Do(cmd)
}

func (f *Flow) featureConfirmation(number string) string {
	codes := f.d.Features
	switch number {
	case codes.Login:
		return "logged_in"
	case codes.Logout:
		return "logged_out"
	case codes.Pause:
		return "paused"
	case codes.Ready:
		return "ready"
	}
	return "disposition_saved"
}

// monitorCode parses a supervisor's monitor code (*31 + agent).
func (f *Flow) monitorCode(number string) (mix.Mode, string, bool) {
	if f.d.MonitorCode == nil {
		return 0, "", false
	}
	return f.d.MonitorCode(number)
}
