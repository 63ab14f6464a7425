package sip

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/sip/inbound"
	"github.com/hotline-oss/hotline/sip/sipheader"
	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// The endpoint keeps the callers' calls it answered by dialog ID and
// passes the requests of their dialogs to them (package inbound):
// re-INVITE, UPDATE, ACK, BYE, INFO.

// Call is one answered caller leg: its dialog and its RTP stream.
type Call = inbound.Call

// Why a caller's call ended, besides the caller's BYE (package inbound).
const (
	ReasonSessionExpired = inbound.ReasonSessionExpired
	ReasonRefreshFailed  = inbound.ReasonRefreshFailed
	ReasonNoSDPAnswer    = inbound.ReasonNoSDPAnswer
)

// onReInvite passes a re-INVITE to the call or leg whose dialog it is in.
func (e *Endpoint) onReInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	e.toDialog(req, tx, (*Call).OnReInvite, (*AgentLeg).OnReInvite)
}

// onUpdate passes an UPDATE (RFC 3311) to the caller's call whose dialog it
// is in.
func (e *Endpoint) onUpdate(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if c := e.lookup(req); c != nil {
		c.OnUpdate(req, tx)
		return
	}
	if e.lookupLeg(req) != nil && len(req.Body()) == 0 {
		// An agent's phone refreshing its session timer.
		e.reply(req, tx, sipmsg.StatusOK, "OK")
		return
	}
	e.reply(req, tx, sipmsg.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

func (e *Endpoint) onAck(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if c := e.lookup(req); c != nil {
		c.OnAck(req, tx)
	}
	// ACKs for our answers to agents' re-INVITEs need nothing either.
}

func (e *Endpoint) onBye(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	e.toDialog(req, tx, (*Call).OnBye, (*AgentLeg).OnBye)
}

func (e *Endpoint) onInfo(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	// Agents' key presses during a call are not acted on.
	e.toDialog(req, tx, (*Call).OnInfo, func(_ *AgentLeg, req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		e.reply(req, tx, sipmsg.StatusOK, "OK")
	})
}

// toDialog passes an in-dialog request to the caller's call or the leg
// whose dialog it is in, or answers 481 when it is in none of ours.
func (e *Endpoint) toDialog(req *sipmsg.Request, tx sipmsg.ServerTransaction,
	toCall func(*Call, *sipmsg.Request, sipmsg.ServerTransaction),
	toLeg func(*AgentLeg, *sipmsg.Request, sipmsg.ServerTransaction)) {
	if c := e.lookup(req); c != nil {
		toCall(c, req, tx)
		return
	}
	if l := e.lookupLeg(req); l != nil {
		toLeg(l, req, tx)
		return
	}
	e.reply(req, tx, sipmsg.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

func (e *Endpoint) lookup(req *sipmsg.Request) *Call {
	id, err := sipmsg.DialogIDFromRequestUAS(req)
	if err != nil {
		return nil
	}
	if v, ok := e.calls.Load(id); ok {
		return v.(*Call)
	}
	return nil
}

// timerPolicy is the endpoint's side of session timer negotiation.
func (e *Endpoint) timerPolicy() sipheader.TimerPolicy {
	return sipheader.NewTimerPolicy(e.cfg.MinSE, e.cfg.SessionExpires)
}

// lateOfferMedia is what a late offer starts from before the answer: our
// preferred codec and telephone-event, and no remote address, so nothing is
// sent and nothing is awaited until the ACK tells where and how.
func (e *Endpoint) lateOfferMedia(number string) (sdp.Negotiated, int, error) {
	if e.secureNumber(number) {
		return sdp.Negotiated{}, sipmsg.StatusNotAcceptableHere,
			fmt.Errorf("late offer to number %s: %w", number, sipstatus.ErrSRTPRequired)
	}
	return sdp.Negotiated{
		Codec:           e.cfg.Codecs[0],
		PayloadType:     e.cfg.Codecs[0].PayloadType(),
		DTMFPayloadType: inbound.LateOfferDTMF,
		Direction:       sdp.Inactive, // nothing flows before the answer
		Transport:       "RTP/AVP",
	}, 0, nil
}

// refuseLateAnswer ends a late-offer call whose ACK carried no usable
// answer: the dialog is confirmed, so it takes a BYE (RFC 3261 section
// 13.3.1.4 leaves the session to the UAS to end).
func (e *Endpoint) refuseLateAnswer(c *Call, err error, free func(), ended func(call.Result, string)) {
	c.Logger().Warn("late offer: the ACK did not answer our SDP offer, hanging up with BYE", "err", err)
	e.calls.Delete(c.DialogID())
	c.HangupWith(ReasonNoSDPAnswer)
	c.Release()
	free()
	ended(call.ResultFailed, ReasonNoSDPAnswer)
}

// callHost is the endpoint as its callers' calls see it.
type callHost struct{ e *Endpoint }

func (h callHost) Reply(req *sipmsg.Request, tx sipmsg.ServerTransaction, code int, reason string, headers ...sipmsg.Header) {
	h.e.reply(req, tx, code, reason, headers...)
}

func (h callHost) Respond(tx sipmsg.ServerTransaction, res *sipmsg.Response) { h.e.respond(tx, res) }

func (h callHost) Contact(transport string) sipmsg.Uri {
	return h.e.dialogUA(transport).ContactHDR.Address
}

func (h callHost) TimerPolicy() sipheader.TimerPolicy { return h.e.timerPolicy() }

func (h callHost) TransactionTimeout() time.Duration { return h.e.transactionTimeout() }

func (h callHost) Context() context.Context { return h.e.ctx }

func (h callHost) Codecs() []rtpcodec.Codec { return h.e.cfg.Codecs }

func (h callHost) SessionExpired() {
	if f := h.e.cfg.OnSessionExpired; f != nil {
		f()
	}
}

func (h callHost) Log() *slog.Logger { return h.e.log }

var _ inbound.Host = callHost{}
