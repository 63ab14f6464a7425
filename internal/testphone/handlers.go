package testphone

import (
	"errors"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// handleBye answers the server's BYE. sipgo's dialog cache matches it,
// replies 200 and moves the dialog to Ended, which finishes our Call.
func (p *Phone) handleBye(req *sip.Request, tx sip.ServerTransaction) {
	err := p.dialogs.ReadBye(req, tx)
	if isUnknownDialog(err) {
		err = p.answered.ReadBye(req, tx)
	}
	switch {
	case err == nil:
	case isUnknownDialog(err):
		p.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil)
	default:
		p.log.Warn("testphone: handling BYE", "error", err)
	}
}

func isUnknownDialog(err error) bool {
	return errors.Is(err, sipgo.ErrDialogDoesNotExists) || errors.Is(err, sipgo.ErrDialogOutsideDialog)
}

// handleAck confirms a call we answered once the server acknowledges our
// 2xx; sipgo's answer waits for that. The ACK to a re-INVITE answer (or
// to any call we placed) matches nothing and needs nothing.
func (p *Phone) handleAck(req *sip.Request, tx sip.ServerTransaction) {
	_ = p.answered.ReadAck(req, tx)
}

// handleInvite takes a fresh INVITE as an incoming call (see
// SetAnswerMode) and answers re-INVITEs on our calls.
func (p *Phone) handleInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to == nil || !to.Params.Has("tag") {
		p.handleIncoming(req, tx)
		return
	}
	c := p.callFor(req)
	if c == nil {
		p.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil)
		return
	}
	answer, err := c.answerReOffer(req.Body())
	if err != nil {
		p.log.Warn("testphone: re-INVITE offer", "error", err)
		p.respond(req, tx, sip.StatusNotAcceptableHere, "Not Acceptable Here", nil)
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", answer)
	res.AppendHeader(sip.NewHeader("Content-Type", contentTypeSDP))
	res.AppendHeader(sip.HeaderClone(&p.contact))
	if err := tx.Respond(res); err != nil {
		p.log.Warn("testphone: answering re-INVITE", "error", err)
	}
}

// answerReOffer adopts the server's new media description and returns our
// answer, mirroring its direction.
func (c *Call) answerReOffer(offer []byte) ([]byte, error) {
	remote, err := sdpoffer.Parse(offer, c.phone.codecs)
	if err != nil {
		return nil, err
	}
	if err := c.adoptRemote(remote, string(offer)); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.sdpVersion++
	sessionID, version := c.sessionID, c.sdpVersion
	c.mu.Unlock()
	return c.answerSDP(remote, sessionID, version, c.phone.dtmfPT)
}

func (p *Phone) respondOK(req *sip.Request, tx sip.ServerTransaction) {
	p.respond(req, tx, sip.StatusOK, "OK", nil)
}

func (p *Phone) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, body []byte) {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	if err := tx.Respond(res); err != nil {
		p.log.Warn("testphone: respond", "code", code, "error", err)
	}
}
