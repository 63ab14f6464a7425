package app

import (
	"context"
	"encoding/json"
	"net/netip"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// auditLog keeps the HTTP audit trail in the record store, through its
// writer queue and spool: an outage delays entries, never loses them.
type auditLog struct{ s *Server }

func (l auditLog) Record(e web.AuditEntry) {
	detail := ""
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err == nil {
			detail = string(b)
		}
	}
	l.s.store.Audit(store.AuditEntry{
		At: e.At, Actor: e.Actor, Role: string(e.Role), Agent: e.Agent, Action: e.Action,
		Target: e.Target, Detail: detail, Source: e.Source, Result: e.Result,
	})
}

func (l auditLog) Read(ctx context.Context, q web.AuditQuery) (any, error) {
	entries, err := l.s.store.AuditLog(ctx, store.AuditFilter{
		From: q.From, To: q.To, Actor: q.Actor, Action: q.Action, Limit: q.Limit,
	})
	if err != nil {
		return nil, recordsUnavailable(err)
	}
	type entry struct {
		store.AuditEntry
		Detail json.RawMessage `json:"detail,omitempty"`
	}
	out := make([]entry, len(entries))
	for i, e := range entries {
		out[i] = entry{AuditEntry: e}
		if e.Detail != "" && e.Detail != "{}" && json.Valid([]byte(e.Detail)) {
			out[i].Detail = json.RawMessage(e.Detail)
		}
	}
	return out, nil
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
	s.web.WithAudit(auditLog{s}, tokens, web.AuditOptions{
		Now: s.clock.Now, TrustedProxies: trustedProxies(s.cfg),
	})
}

func trustedProxies(cfg *config.Config) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range cfg.API.TrustedProxies {
		if prefix, err := config.ParsePrefix(p); err == nil { // validated at load
			out = append(out, prefix)
		}
	}
	return out
}
