package sip

import (
	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/prack"
	"github.com/hotline-oss/hotline/sip/sipheader"
)

// provisional sends a 1xx for the caller's INVITE, with sdp when not nil,
// reliably when the INVITE asked for it (prack.Send).
func (e *Endpoint) provisional(dlg *sipgo.DialogServerSession, el *prack.Early, code int, reason string, sdp []byte) error {
	res := sipmsg.NewResponseFromRequest(dlg.InviteRequest, code, reason, sdp)
	if sdp != nil {
		res.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	}
	res.AppendHeader(sipmsg.NewHeader("Allow", allowed))
	return prack.Send(dlg, el, res, e.t1(), e.transactionTimeout(), e.ctx.Done())
}

// onPrack acknowledges a reliable provisional response: 200 when its RAck
// names the pending (or the last acknowledged) one, 481 when it names no
// provisional we sent in that dialog (RFC 3262 section 3).
func (e *Endpoint) onPrack(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	id, err := sipmsg.DialogIDFromRequestUAS(req)
	var el *prack.Early
	if err == nil {
		if v, ok := e.early.Load(id); ok {
			el = v.(*prack.Early)
		}
	}
	h := req.GetHeader("RAck")
	if h == nil {
		e.reply(req, tx, sipmsg.StatusBadRequest, "Bad Request: no RAck")
		return
	}
	rseq, cseq, method, err := sipheader.ParseRAck(h.Value())
	if err != nil {
		e.log.Info("PRACK refused", "err", err)
		e.reply(req, tx, sipmsg.StatusBadRequest, "Bad Request: "+err.Error())
		return
	}
	if el == nil || !el.Ack(rseq, cseq, method) {
		e.log.Info("PRACK for no provisional response of ours: 481", "rseq", rseq, "cseq", cseq)
		e.reply(req, tx, sipmsg.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	e.reply(req, tx, sipmsg.StatusOK, "OK")
}
