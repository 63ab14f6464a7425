package admission

import (
	"log/slog"
	"net/netip"
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/sipheader"
	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// Host is the endpoint as the gate sees it: it answers requests, checks
// digest credentials and refuses a session timer it cannot accept.
type Host interface {
	Reply(req *sipmsg.Request, tx sipmsg.ServerTransaction, code int, reason string, headers ...sipmsg.Header)
	// Authenticate checks the digest credentials of req and answers
	// 401 or 403 itself when they do not pass.
	Authenticate(req *sipmsg.Request, tx sipmsg.ServerTransaction) (user string, ok bool)
	// RefuseTimer answers 422 (tooSmall) or 400 (err) to a session timer
	// request; true means it was refused.
	RefuseTimer(req *sipmsg.Request, tx sipmsg.ServerTransaction, tooSmall bool, err error) bool
}

// Gate answers the requests refused at the door: INVITEs for who calls
// which number and for what they ask that we cannot serve, and any
// request that had to come over TLS.
type Gate struct {
	Host Host
	Log  *slog.Logger
	// IsHotline reports whether a dialled number is one of ours;
	// anything else that is not internal gets 404.
	IsHotline func(number string) bool
	// IsInternal reports whether a number is for agents only (feature
	// codes); nil: none is.
	IsInternal func(number string) bool
	// RedirectInternal may send an agent's call to an internal number to
	// another server (redirect.go); nil: never.
	RedirectInternal func(fromUser, number string) (to netip.AddrPort, ok bool)
	// SecureNumber reports hotline numbers that accept only TLS; nil:
	// none.
	SecureNumber func(number string) bool
	// TimerPolicy is our side of session timer negotiation.
	TimerPolicy func() sipheader.TimerPolicy
}

// Route decides who may call number: anyone for a hotline number, an
// authenticated agent for an internal number (feature codes), nobody for
// anything else — the server never relays. agent is the authenticated
// agent calling an internal number; on false the request was answered.
func (g Gate) Route(req *sipmsg.Request, tx sipmsg.ServerTransaction, number string) (agent string, ok bool) {
	if g.IsHotline(number) {
		return "", !g.RefuseInsecure(req, tx, g.secure(number), "number "+number)
	}
	if g.IsInternal != nil && g.IsInternal(number) {
		if g.redirect(req, tx, number) {
			return "", false
		}
		return g.Host.Authenticate(req, tx)
	}
	g.Log.Info("call to unknown number refused", "number", number)
	g.Host.Reply(req, tx, sipmsg.StatusNotFound, "Not Found")
	return "", false
}

func (g Gate) secure(number string) bool {
	return g.SecureNumber != nil && g.SecureNumber(number)
}

// RefuseInsecure answers 403 when a request that must come over TLS did
// not; true means it was refused. The Warning tells the phone's user why;
// what names the policy in the log.
func (g Gate) RefuseInsecure(req *sipmsg.Request, tx sipmsg.ServerTransaction, mustTLS bool, what string) bool {
	if !mustTLS || sipmsg.NetworkToLower(req.Transport()) == "tls" {
		return false
	}
	g.Log.Info("request refused: TLS required", "method", req.Method.String(), "for", what,
		"transport", req.Transport(), "source", Source(req).String())
	g.Host.Reply(req, tx, sipmsg.StatusForbidden, "Forbidden",
		sipmsg.NewHeader("Warning", `399 hotline "`+sipstatus.ErrTLSRequired.Error()+`"`))
	return true
}

// CheckExtensions refuses, before the call is counted, an INVITE we cannot
// serve as asked: 420 for an option tag we do not implement, 422 for a
// session interval below our Min-SE, 400 for an unreadable timer header.
// It returns the negotiated session timer when the INVITE is acceptable.
func (g Gate) CheckExtensions(req *sipmsg.Request, tx sipmsg.ServerTransaction) (sipheader.SessionTimer, bool) {
	if bad := sipheader.UnsupportedRequire(req); len(bad) > 0 {
		g.Log.Info("INVITE requires an extension we do not implement: 420", "require", bad)
		g.Host.Reply(req, tx, sipmsg.StatusBadExtension, "Bad Extension",
			sipmsg.NewHeader("Unsupported", strings.Join(bad, ", ")), sipmsg.NewHeader("Supported", sipheader.Supported))
		return sipheader.SessionTimer{}, false
	}
	st, tooSmall, err := sipheader.NegotiateTimer(req, g.TimerPolicy())
	if g.Host.RefuseTimer(req, tx, tooSmall, err) {
		return sipheader.SessionTimer{}, false
	}
	return st, true
}
