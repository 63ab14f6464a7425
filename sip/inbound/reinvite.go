package inbound

import (
	"errors"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/sip/leg"
	"github.com/hotline-oss/hotline/sip/sipheader"
	"github.com/hotline-oss/hotline/sip/sipsrtp"
	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// OnReInvite answers a re-INVITE in the call's dialog: a session refresh,
// hold (sendonly/inactive, or c=0.0.0.0) or resume, or a new remote address
// or codec.
func (c *Call) OnReInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	st, ok := c.refreshTimer(req, tx)
	if !ok {
		return
	}
	if len(req.Body()) == 0 {
		// No offer (often a session refresh): ours goes in the 200 and
		// the answer comes in the ACK (lateoffer.go).
		c.offerInReInvite(req, tx, st)
		return
	}
	changed, ok := c.reoffer(req, tx)
	if !ok {
		return
	}
	c.answerReInvite(req, tx, changed, st)
}

// reoffer applies a new offer in the dialog (re-INVITE or UPDATE); false
// when it was refused (the response is sent). While the caller holds
// (sendonly or inactive) nothing is expected from it, so RTP inactivity
// does not end the call; sendrecv resumes both.
func (c *Call) reoffer(req *sipmsg.Request, tx sipmsg.ServerTransaction) (changed, ok bool) {
	c.mu.Lock()
	codec := c.neg.Codec
	c.mu.Unlock()
	neg, err := sdp.Negotiate(req.Body(), []rtpcodec.Codec{codec})
	if err != nil {
		code := sipmsg.StatusNotAcceptableHere
		if errors.Is(err, sdp.ErrMalformedSDP) {
			code = sipmsg.StatusBadRequest
		}
		c.host.Reply(req, tx, code, sipstatus.ReasonPhrase(code))
		return false, false
	}
	c.mu.Lock()
	err = sipsrtp.Rekey(c.stream, c.neg, &neg)
	c.mu.Unlock()
	if err != nil {
		c.log.Info("re-INVITE refused", "err", err)
		c.host.Reply(req, tx, sipmsg.StatusNotAcceptableHere, sipstatus.ReasonPhrase(sipmsg.StatusNotAcceptableHere))
		return false, false
	}
	c.mu.Lock()
	changed = neg.Remote != c.neg.Remote || neg.Direction != c.neg.Direction || neg.LocalCrypto != c.neg.LocalCrypto
	c.neg = neg
	c.mu.Unlock()
	c.stream.SetRemote(neg.Remote)
	c.stream.SetSending(neg.Direction == sdp.SendRecv || neg.Direction == sdp.RecvOnly)
	c.stream.SetExpectMedia(leg.ExpectsMedia(neg.Direction))
	c.log.Info("caller media changed", "method", req.Method.String(), "direction", neg.Direction.String(),
		"on_hold", neg.Direction != sdp.SendRecv, "remote", neg.Remote.String())
	return changed, true
}

func (c *Call) answerReInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction, changed bool, st sipheader.SessionTimer) {
	c.mu.Lock()
	if changed {
		c.sdpVersion++
	}
	answer := c.neg.Answer(c.localRTP, c.sdpSession, c.sdpVersion)
	c.mu.Unlock()
	res := sipmsg.NewSDPResponseFromRequest(req, answer)
	res.AppendHeader(&sipmsg.ContactHeader{Address: c.host.Contact(req.Transport())})
	for _, h := range sipheader.TimerHeaders(st) {
		res.AppendHeader(h)
	}
	c.host.Respond(tx, res)
	c.StartSessionTimer(st)
}
