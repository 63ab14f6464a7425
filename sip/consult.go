package sip

import (
	"context"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/sipheader"
	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// An agent's call to another agent's extension is a consult call: the
// agent usually holds a caller, talks to the colleague first, then hands
// the caller over with REFER and Replaces (attended transfer, RFC 5589).
// The endpoint lets the server ring the colleague before it answers the
// agent, so that the agent's phone hears ringing, and a refusal (logged
// out, busy, no answer) reaches it as a SIP status rather than as audio.

// ConsultFunc is asked, before an authenticated agent's call to an
// internal number is answered, whether to answer it. It returns 0 to
// answer, or the SIP status (4xx-6xx) to refuse the call with. ctx ends
// when the agent cancels the call or the endpoint stops.
type ConsultFunc func(ctx context.Context, c *Call) (status int)

// Replaces names the dialog an attended transfer replaces (package
// sipheader reads it).
type Replaces = sipheader.Replaces

// ErrBadReplaces: a Replaces value without a Call-ID or with a malformed
// parameter.
var ErrBadReplaces = sipheader.ErrBadReplaces

// ReplacedCall finds the answered call an attended transfer names: one of
// our server-side dialogs (a consult call an agent placed to us). Phones
// disagree on which tag is which, so both orientations are tried; the
// Call-ID and both tags must match.
func (e *Endpoint) ReplacedCall(r Replaces) *Call {
	for _, id := range []string{
		sipmsg.DialogIDMake(r.CallID, r.ToTag, r.FromTag),
		sipmsg.DialogIDMake(r.CallID, r.FromTag, r.ToTag),
	} {
		if v, ok := e.calls.Load(id); ok {
			return v.(*Call)
		}
	}
	return nil
}

// preAnswer lets the ConsultFunc ring a colleague before an agent's call
// is answered; false when the call was refused (the response is sent).
func (e *Endpoint) preAnswer(c *Call) bool {
	if e.cfg.Consult == nil || c.Agent == "" {
		return true
	}
	ctx, cancel := context.WithCancel(c.Dialog().Context())
	defer cancel()
	stop := context.AfterFunc(e.ctx, cancel)
	defer stop()
	code := e.cfg.Consult(ctx, c)
	if code == 0 {
		return true
	}
	if code < 400 || code > 699 {
		c.Logger().Warn("consult refused with a bad status", "status", code)
		code = sipmsg.StatusInternalServerError
	}
	c.Release()
	if c.Dialog().Context().Err() == nil {
		_ = c.Dialog().Respond(code, sipstatus.ConsultPhrase(code), nil)
	}
	_ = c.Dialog().Close()
	return false
}
