package sip

import (
	"net/netip"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/admission"
	"github.com/hotline-oss/hotline/sip/guard"
)

// unguarded marks handlers the guard only observes: requests inside a
// dialog (ACK, BYE, CANCEL, INFO, REFER, NOTIFY) are never limited, so
// calls in progress are not hurt by a flood or by a ban of their address.
const unguarded = guard.Unguarded

// guarded wraps a handler: out-of-dialog requests of class pass the guard
// first, and every final response is counted by its reason.
func (e *Endpoint) guarded(class guard.Class, h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		if class != unguarded && !e.inDialog(req) {
			src := admission.Source(req)
			ua := ""
			if h := req.GetHeader("User-Agent"); h != nil {
				ua = h.Value()
			}
			if v := e.guard.Check(src, class, ua); !v.Pass {
				e.refuse(req, tx, src, v)
				return
			}
		}
		h(req, observedTx{ServerTransaction: tx, e: e})
	}
}

// inDialog reports whether req belongs to a dialog we hold (a re-INVITE).
func (e *Endpoint) inDialog(req *sipmsg.Request) bool {
	if to := req.To(); to == nil || !to.Params.Has("tag") {
		return false
	}
	return e.lookup(req) != nil || e.lookupLeg(req) != nil
}

// refuse answers (or ignores) a request the guard refused.
func (e *Endpoint) refuse(req *sipmsg.Request, tx sipmsg.ServerTransaction, src netip.Addr, v guard.Verdict) {
	e.reject(v.Reason)
	if v.LogIt {
		ua := ""
		if h := req.GetHeader("User-Agent"); h != nil {
			ua = clip(h.Value(), 64)
		}
		msg := "sip source rate limited"
		if v.Reason == guard.RejectUserAgent {
			msg = "sip scanner refused"
		}
		e.log.Warn(msg, "source", src.String(), "reason", v.Reason, "method", req.Method.String(), "user_agent", ua)
	}
	switch {
	case v.Action == guard.ActionSilence:
		// No answer: sipgo ends the transaction when the handler returns.
	case v.Action == guard.ActionForbidden:
		e.reply(req, tx, sipmsg.StatusForbidden, "Forbidden")
	default:
		e.reply(req, tx, sipmsg.StatusServiceUnavailable, "Service Unavailable", guard.RetryAfterHeader(v.RetryAfter))
	}
}

// refuseBanned answers a request from a banned source that reached digest
// authentication (a trusted source, which the guard lets through).
func (e *Endpoint) refuseBanned(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	e.reject(guard.RejectBanned)
	if e.guard.BanAction() == guard.ActionForbidden {
		e.reply(req, tx, sipmsg.StatusForbidden, "Forbidden")
	}
}

// reject counts a refusal for metrics.
func (e *Endpoint) reject(reason string) {
	if e.cfg.OnReject != nil {
		e.cfg.OnReject(reason)
	}
}

// onAuthFailure logs each failed digest answer and each ban in a fixed
// format that a fail2ban filter matches (deploy/fail2ban/hotline.conf):
// the message names the event and source= comes right after it.
func (e *Endpoint) onAuthFailure(src netip.Addr, user, reason string, banned bool) {
	if reason == guard.AuthFailReplay {
		e.reject(guard.RejectNonceReplay)
	} else {
		e.reject(guard.RejectAuthFailed)
	}
	e.log.Warn("sip auth failed", "source", src.String(), "reason", reason, "user", clip(user, 64))
	if !banned {
		return
	}
	e.log.Warn("sip source banned", "source", src.String(), "reason", "auth_failures",
		"for", e.banFor().String(), "range", e.auth.Sources().SourceRange(src).String())
	if e.cfg.OnBan != nil {
		e.cfg.OnBan()
	}
}

func (e *Endpoint) banFor() time.Duration { return e.auth.BanFor() }

// BannedSources counts the sources banned now.
func (e *Endpoint) BannedSources() int { return len(e.auth.Banned()) }

// observedTx counts the final responses that refuse a request for a reason
// the handlers do not report themselves.
type observedTx struct {
	sipmsg.ServerTransaction
	e *Endpoint
}

func (t observedTx) Respond(res *sipmsg.Response) error {
	if reason := guard.RejectReasonForStatus(res.StatusCode); reason != "" {
		t.e.reject(reason)
	}
	return t.ServerTransaction.Respond(res)
}

// clip bounds a peer-supplied string in a log line.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// initGuard builds the guard and the overload limits, and shares one
// bounded source table between the guard and digest authentication so
// that a ban made by the one is enforced by the other on the same clock.
func (e *Endpoint) initGuard(authCfg *guard.AuthConfig) {
	if authCfg.Now == nil {
		authCfg.Now = e.cfg.Now
	}
	authCfg.Sources = guard.NewSources(e.cfg.Guard.MaxSources)
	if bits := e.cfg.Guard.IPv6PrefixLength; bits > 0 {
		authCfg.Sources.SetIPv6PrefixLength(bits)
	}
	authCfg.OnFailure = e.onAuthFailure
	e.guard = guard.New(e.cfg.Guard, authCfg.Sources, authCfg.Now)
	e.overload = guard.NewOverload(e.cfg.Overload, e.cfg.Now)
}
