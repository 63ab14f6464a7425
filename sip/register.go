package sip

import (
	"errors"
	"strconv"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/admission"
	"github.com/hotline-oss/hotline/sip/guard"
	"github.com/hotline-oss/hotline/sip/registrar"
)

// onRegister serves agents' softphones: digest authentication, then the
// registrar. Unknown users are challenged exactly like known ones.
func (e *Endpoint) onRegister(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	// Before the digest exchange, so a secure agent's credentials never
	// travel over plain transport.
	if to := req.To(); to != nil && e.gate.RefuseInsecure(req, tx, e.agentRequiresSecure(to.Address.User), "agent "+to.Address.User) {
		return
	}
	user, ok := e.authenticate(req, tx)
	if !ok {
		return
	}
	if to := req.To(); to == nil || to.Address.User != user {
		e.reply(req, tx, sipmsg.StatusForbidden, "Forbidden")
		return
	}
	bindings, err := e.registrar.Update(user, req, req.Source())
	switch {
	case errors.Is(err, registrar.ErrIntervalTooBrief):
		e.reply(req, tx, sipmsg.StatusIntervalToBrief, "Interval Too Brief",
			sipmsg.NewHeader("Min-Expires", strconv.Itoa(int(e.registrar.MinExpires/time.Second))))
		return
	case err != nil:
		e.log.Info("bad REGISTER", "user", user, "err", err)
		e.reply(req, tx, sipmsg.StatusBadRequest, "Bad Request")
		return
	}
	if e.cfg.OnBindings != nil {
		e.cfg.OnBindings(user, bindings)
	}
	res := sipmsg.NewResponseFromRequest(req, sipmsg.StatusOK, "OK", nil)
	now := e.now()
	for _, b := range bindings {
		c := &sipmsg.ContactHeader{Address: *b.Contact.Clone(), Params: sipmsg.NewParams()}
		c.Params.Add("expires", strconv.Itoa(int(b.Expires.Sub(now).Round(time.Second)/time.Second)))
		res.AppendHeader(c)
	}
	res.AppendHeader(sipmsg.NewHeader("Date", now.UTC().Format(time.RFC1123)))
	e.respond(tx, res)
}

// authenticate checks digest credentials and answers 401/403 itself when
// they do not pass; ok reports whether the request may go on.
func (e *Endpoint) authenticate(req *sipmsg.Request, tx sipmsg.ServerTransaction) (user string, ok bool) {
	src := admission.Source(req)
	user, result, stale := e.auth.Check(req, src)
	switch result {
	case guard.AuthOK:
		return user, true
	case guard.AuthBanned:
		e.refuseBanned(req, tx)
	default:
		// Failed answers are logged and counted by onAuthFailure.
		e.respond(tx, e.auth.Challenge(req, stale))
	}
	return "", false
}

// expireLoop drops expired registrations every few seconds.
func (e *Endpoint) expireLoop() {
	defer e.serve.Done()
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			e.registrar.Expire()
		case <-e.ctx.Done():
			return
		}
	}
}

// onContactReplaced logs and counts a binding dropped for a newer one.
func (e *Endpoint) onContactReplaced(user string, dropped registrar.Binding) {
	e.log.Info("contact replaced: too many phones registered", "user", user,
		"contact", dropped.Contact.String(), "max", e.registrar.MaxContacts)
	if e.cfg.OnContactReplaced != nil {
		e.cfg.OnContactReplaced()
	}
}

// Bindings returns the registered contacts of an agent.
func (e *Endpoint) Bindings(user string) []registrar.Binding { return e.registrar.Lookup(user) }
