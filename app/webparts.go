package app

import (
	"encoding/json"
	"time"

	"github.com/hotline-oss/hotline/app/snapshot"
	"github.com/hotline-oss/hotline/app/webadapt"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// The adapters from the parts to web's interfaces live in app/webadapt;
// here they are given the running server's parts.

// agentControl is the REST API's view of the ACD.
func (s *Server) agentControl() webadapt.Agents {
	return webadapt.Agents{Floor: s.acd, Registered: agentPhones{s}.Registered}
}

// agentPanel is the agent panel's view, with the call details of calls.
func (s *Server) agentPanel(calls *webadapt.CallTracker) webadapt.Panel {
	p := webadapt.Panel{Agents: s.agentControl(), Calls: calls, Wrapup: map[string]time.Duration{}, DisplayName: s.metrics.DisplayName}
	for _, q := range s.compiled.acd.Queues {
		p.Wrapup[q.Name] = q.WrapUp
	}
	return p
}

func (s *Server) reports() webadapt.Reports {
	return webadapt.Reports{Store: s.store, Thresholds: snapshot.StoreThresholds(s.cfg)}
}

func (s *Server) recordings() webadapt.Recordings {
	r := webadapt.Recordings{Store: s.store, Log: s.log}
	if s.care != nil {
		r.Paths = s.care
	}
	return r
}

func apiTokens(s *Server) []web.Token { return webadapt.Tokens(s.cfg) }

// wallboard is the metrics' wallboard with each queue's team adherence.
func (s *Server) wallboard() any {
	return webadapt.Wallboard(s.metrics, s.workforce, s.cfg.WorkforceRules().AdherenceTarget)
}

// mountConsole serves the supervisor console at /supervisor when there is
// an ACD to supervise and API tokens to sign in with.
func (s *Server) mountConsole(tokens []web.Token) error {
	if s.acd == nil || len(tokens) == 0 {
		return nil
	}
	src := webadapt.Console{Agents: s.agentControl(), Wallboard: s.wallboard, Now: s.clock.Now, MaskNumbers: s.cfg.MaskNumbers(), Log: s.log}
	d := web.ConsoleDeps{
		Source: src, Agents: s.agentControl(), Recordings: s.recordings(),
		PauseReasons: s.cfg.AgentPanel.Reasons(), Location: s.cfg.ReportLocation(),
		Adherence: webadapt.Adherence(s.workforce),
	}
	if s.monitors != nil {
		d.Monitor = s.monitors.Control()
	}
	if s.self != nil {
		if c := s.self.NoticeControl(); c != nil {
			d.Notices = c
		}
	}
	if s.quality != nil {
		d.Reviews = s.quality
	}
	if s.workforce != nil {
		d.Schedules = s.workforce.Control()
	}
	if s.tickets != nil {
		d.Tickets, d.TicketCounts = s.tickets, webadapt.TicketCounts(s.tickets)
	}
	return s.web.WithConsole(d, tokens)
}

// audit records an action that did not come through the HTTP API — a
// supervisor's listen, whisper or barge from a softphone, say. detail, when
// not empty, is a JSON object; source is where the request came from (the
// SIP peer's address). It never blocks.
func (s *Server) audit(actor, role, action, target, detail, source string) {
	if s.store == nil {
		return
	}
	if detail != "" && !json.Valid([]byte(detail)) {
		b, _ := json.Marshal(map[string]string{"note": detail})
		detail = string(b)
	}
	s.store.Audit(store.AuditEntry{
		At: s.clock.Now(), Actor: actor, Role: role, Action: action, Target: target,
		Detail: detail, Source: source, Result: "ok",
	})
	s.log.Info("audit", "actor", actor, "role", role, "action", action, "target", target)
}

// withAudit puts the audit middleware in front of the HTTP routes.
func (s *Server) withAudit(tokens []web.Token) {
	if s.store == nil {
		return
	}
	s.web.WithAudit(webadapt.Audit{Store: s.store}, tokens, web.AuditOptions{
		Now: s.clock.Now, TrustedProxies: webadapt.TrustedProxies(s.cfg),
	})
}
