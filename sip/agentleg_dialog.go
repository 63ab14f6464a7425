package sip

import (
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/leg"
)

// The endpoint keeps the agent legs (and callback dial-outs) it placed
// by dialog ID and passes their in-dialog requests to them (package leg):
// BYE, re-INVITE, REFER.

// lookupLeg finds the agent leg an in-dialog request belongs to. The agent
// is the remote side of a dialog we started, hence the UAC form of the ID.
func (e *Endpoint) lookupLeg(req *sipmsg.Request) *AgentLeg {
	id, err := sipmsg.DialogIDFromRequestUAC(req)
	if err != nil {
		return nil
	}
	if v, ok := e.legs.Load(id); ok {
		return v.(*AgentLeg)
	}
	return nil
}

// onRefer takes a transfer request from an agent's phone.
func (e *Endpoint) onRefer(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	l := e.lookupLeg(req)
	if l == nil {
		e.reply(req, tx, sipmsg.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	l.OnRefer(req, tx)
}

// onNotify accepts NOTIFYs in our dialogs (e.g. a phone reporting on a
// transfer we asked for) and refuses the rest.
func (e *Endpoint) onNotify(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if e.lookupLeg(req) != nil || e.lookup(req) != nil {
		e.reply(req, tx, sipmsg.StatusOK, "OK")
		return
	}
	e.reply(req, tx, sipmsg.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

// legHost is the endpoint as its legs see it.
type legHost struct{ e *Endpoint }

func (h legHost) Keep(id string, l *leg.Leg) { h.e.legs.Store(id, l) }

func (h legHost) Forget(id string) { h.e.legs.Delete(id) }

func (h legHost) Contact(transport string) sipmsg.Uri {
	return h.e.dialogUA(transport).ContactHDR.Address
}

var _ leg.Host = legHost{}
