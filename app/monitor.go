package app

import (
	"github.com/hotline-oss/hotline/app/supervisorphone"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/monitor"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/store"
)

// bridgeWatcher is the call path's on-bridge hook: a feature told that a
// caller and an agent talk over a bridge, until untrack. Supervisor
// monitoring (package monitor) is the one that watches today.
type bridgeWatcher interface {
	Track(callID, agent string, bridge *media.BridgeHandle) (untrack func())
}

// watchBridge tells the bridge watcher, if any, that callID's caller now
// talks to agent over bridge; calling the result says the talk is over.
func (s *Server) watchBridge(callID, agent string, bridge *media.BridgeHandle) (untrack func()) {
	if s.onBridge == nil {
		return func() {}
	}
	return s.onBridge.Track(callID, agent, bridge)
}

// newMonitor builds supervisor monitoring from the server's parts. The
// funcs read the server's fields when called: the ACD and the store are
// opened after it.
func newMonitor(s *Server) *monitor.Service {
	return monitor.New(monitor.Deps{
		Supervisors: s.cfg.Supervisors,
		IsAgent:     func(id string) bool { return s.acd != nil && s.acd.IsAgent(id) },
		Phones:      supervisorphone.Phones{SIP: func() *sip.Endpoint { return s.sip }, RingTimeout: s.cfg.Monitor.RingTimeout},
		Publish:     func(e call.Event) { s.bus.Publish(e) },
		Audit: func(e store.AuditEntry) {
			if s.store != nil {
				s.store.Audit(e)
			}
		},
		Prompt:  func(name string) *playout.Prompt { return s.prompts.Get(s.cfg.DefaultLanguage, name) },
		Clock:   s.clock,
		Log:     s.log,
		Metrics: s.metrics.Registry(),
	})
}

// sipPassword is the registrar's password look-up: agents, then
// supervisors, who register and authenticate the same way.
func (s *Server) sipPassword(user string) (string, bool) {
	if p, ok := s.agentPassword(user); ok {
		return p, true
	}
	if s.monitors != nil {
		if sup, ok := s.monitors.Supervisor(user); ok {
			return sup.SIPPassword(), true
		}
	}
	return "", false
}

// mountMonitor adds the monitor API when there is an ACD to monitor.
func (s *Server) mountMonitor() {
	if s.acd != nil && s.monitors != nil {
		s.web.WithMonitor(s.monitors.Control(), apiTokens(s))
	}
}

// monitorFromPhone serves a supervisor who dialled a monitor code and an
// agent's id (*31 1001) from a registered softphone: the call itself
// becomes the supervisor's leg of the session.
func (s *Server) monitorFromPhone(c *sip.Call, leg *callleg.Leg, mode mix.Mode, agent string) {
	if s.monitors == nil {
		leg.PlayAndWait([]ivr.PromptRef{{Lang: s.cfg.DefaultLanguage, Name: "feature_failed"}})
		return
	}
	sl := monitor.Leg{Stream: c.Media(), Events: leg.Events()}
	s.monitors.ServePhone(sl, c.Agent, agent, mode, s.phoneSource(c.Agent), c.Logger())
}

// phoneSource is where a user's softphone registered from, for the audit
// log ("" when it is not registered, e.g. a call in a test without one).
func (s *Server) phoneSource(user string) string {
	if b := s.sip.Bindings(user); len(b) > 0 {
		return b[0].Source
	}
	return ""
}
