package inbound

import (
	"errors"
	"fmt"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/sip/leg"
	"github.com/hotline-oss/hotline/sip/sipheader"
)

// Late offer (RFC 3261 section 13.2.1, RFC 3264): an INVITE without SDP
// gets our offer in the 200 OK, and the caller's answer comes in the ACK.

// ReasonNoSDPAnswer is the EndReason of a late-offer call whose ACK did not
// carry a usable answer to our offer: the call is ended with a BYE.
const ReasonNoSDPAnswer = "no_sdp_answer"

// errNoAnswerInAck: the ACK of a late offer carried no SDP.
var errNoAnswerInAck = errors.New("ACK carried no SDP answer to our offer")

// LateOfferDTMF is the telephone-event payload type of our offers.
const LateOfferDTMF = 101

// offer is the SDP of our 200 OK to a late offer: every configured codec.
func (c *Call) offer() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return sdp.BuildOffer(c.localRTP, c.host.Codecs(), LateOfferDTMF, sdp.SendRecv, c.sdpSession, c.sdpVersion)
}

// noteAck keeps the body of the ACK that confirms a late offer's 200: the
// caller's answer. It runs before the ACK releases the wait for it. The ACK
// of a re-INVITE whose 200 carried our offer is applied at once.
func (c *Call) noteAck(req *sipmsg.Request) {
	cs := req.CSeq()
	if cs == nil {
		return
	}
	c.mu.Lock()
	reoffer := c.reofferCSeq != 0 && cs.SeqNo == c.reofferCSeq
	if reoffer {
		c.reofferCSeq = 0
	}
	c.mu.Unlock()
	if reoffer {
		c.applyReofferAnswer(req)
		return
	}
	if !c.late || cs.SeqNo != c.dlg.InviteRequest.CSeq().SeqNo {
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ackSeen {
		c.ackSeen = true
		c.ackType, c.ackBody = ct, append([]byte(nil), req.Body()...)
	}
}

// ApplyLateAnswer reads the answer the ACK carried and points the stream
// at it: codec, payload types, remote address and direction.
func (c *Call) ApplyLateAnswer() error {
	c.mu.Lock()
	body, ct := c.ackBody, c.ackType
	c.mu.Unlock()
	if len(body) == 0 {
		return errNoAnswerInAck
	}
	if ct != "application/sdp" {
		return fmt.Errorf("ACK body of type %q is not an SDP answer", ct)
	}
	neg, err := sdp.Negotiate(body, c.host.Codecs())
	if err != nil {
		return fmt.Errorf("SDP answer in the ACK: %w", err)
	}
	if neg.Secure() {
		return errors.New("SDP answer in the ACK is SRTP; our offer was plain RTP")
	}
	c.mu.Lock()
	c.neg = neg
	c.sdpVersion++ // our description is now the negotiated one, not the offer
	c.mu.Unlock()
	c.stream.SetCodec(neg.Codec, neg.PayloadType)
	c.stream.SetDTMFPayloadType(neg.DTMFPayloadType)
	c.stream.SetRemote(neg.Remote)
	c.stream.SetSending(neg.Direction == sdp.SendRecv || neg.Direction == sdp.RecvOnly)
	c.stream.SetExpectMedia(leg.ExpectsMedia(neg.Direction))
	return nil
}

// offerInReInvite answers a re-INVITE without SDP with our offer: the
// codec in use, telephone-event, sendrecv (we want media both ways; a
// caller still holding answers sendonly or inactive). An SRTP call gets
// its current SDP, keys unchanged.
func (c *Call) offerInReInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction, st sipheader.SessionTimer) {
	c.mu.Lock()
	c.sdpVersion++
	var offer []byte
	if c.neg.Secure() {
		offer = c.neg.Answer(c.localRTP, c.sdpSession, c.sdpVersion)
	} else {
		dtmf := c.neg.DTMFPayloadType
		if dtmf == 0 {
			dtmf = LateOfferDTMF
		}
		offer = sdp.BuildOffer(c.localRTP, []rtpcodec.Codec{c.neg.Codec}, dtmf, sdp.SendRecv, c.sdpSession, c.sdpVersion)
		if cs := req.CSeq(); cs != nil {
			c.reofferCSeq = cs.SeqNo
		}
	}
	c.mu.Unlock()
	res := sipmsg.NewSDPResponseFromRequest(req, offer)
	res.AppendHeader(&sipmsg.ContactHeader{Address: c.host.Contact(req.Transport())})
	for _, h := range sipheader.TimerHeaders(st) {
		res.AppendHeader(h)
	}
	c.host.Respond(tx, res)
	c.StartSessionTimer(st)
}

// applyReofferAnswer reads the answer to our offer in a re-INVITE's 200.
// An ACK cannot be refused: an unusable answer leaves the media as it was.
func (c *Call) applyReofferAnswer(req *sipmsg.Request) {
	if len(req.Body()) == 0 {
		c.log.Info("re-INVITE without SDP: the ACK carried no answer, media unchanged")
		return
	}
	c.mu.Lock()
	codec := c.neg.Codec
	c.mu.Unlock()
	neg, err := sdp.Negotiate(req.Body(), []rtpcodec.Codec{codec})
	if err == nil && neg.Secure() {
		err = errors.New("SRTP answer to a plain RTP offer")
	}
	if err != nil {
		c.log.Warn("re-INVITE without SDP: unusable answer in the ACK, media unchanged", "err", err)
		return
	}
	c.mu.Lock()
	c.neg = neg
	c.mu.Unlock()
	c.stream.SetCodec(neg.Codec, neg.PayloadType)
	c.stream.SetDTMFPayloadType(neg.DTMFPayloadType)
	c.stream.SetRemote(neg.Remote)
	c.stream.SetSending(neg.Direction == sdp.SendRecv || neg.Direction == sdp.RecvOnly)
	c.stream.SetExpectMedia(leg.ExpectsMedia(neg.Direction))
	c.log.Info("caller media changed", "method", "ACK", "direction", neg.Direction.String(),
		"on_hold", neg.Direction != sdp.SendRecv, "remote", neg.Remote.String())
}
