package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
	"github.com/hotline-oss/hotline/sip/inbound"
	"github.com/hotline-oss/hotline/sip/leg"
	"github.com/hotline-oss/hotline/sip/sipheader"
	"github.com/hotline-oss/hotline/sip/sipsrtp"
	"github.com/hotline-oss/hotline/sip/sipstatus"
)

func (e *Endpoint) onInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		e.onReInvite(req, tx)
		return
	}
	in, ok := e.admit(req, tx) // admit.go
	if !ok {
		return
	}
	// The slot is freed as soon as the call is refused, before sipgo waits
	// for the ACK of the final response, so a caller retrying at once is
	// not refused for a call that is already over.
	defer func() {
		if !in.answered {
			in.free()
		}
	}()
	ev := in.base
	ev.Kind, ev.Time = call.CallArrived, in.arrived
	in.pub(ev)
	c, ok := e.openCall(in)
	if !ok || !e.preAnswer(c) || !e.beforeAnswer(c, req, in.ended) {
		return
	}
	e.answer(in, c)
}

// openCall reads the INVITE into a dialog, sends 100 Trying and opens the
// call's media. On false the INVITE was refused and the call reported.
func (e *Endpoint) openCall(in *arrival) (*Call, bool) {
	dlg, err := e.dialogUA(in.req.Transport()).ReadInvite(in.req, in.tx)
	if err != nil {
		in.log.Info("invalid INVITE", "err", err)
		in.free()
		e.reply(in.req, in.tx, sipmsg.StatusBadRequest, "Bad Request")
		in.ended(call.ResultFailed, "bad_request")
		return nil, false
	}
	_ = dlg.Respond(sipmsg.StatusTrying, "Trying", nil)

	c, code, err := e.prepareCall(dlg, in.req, in.base, in.arrived, in.log)
	if err != nil {
		in.log.Info("call refused", "code", code, "err", err)
		in.free()
		_ = dlg.Respond(code, sipstatus.ReasonPhrase(code), nil)
		_ = dlg.Close()
		in.ended(call.ResultFailed, sipstatus.RefusalReason(code, err))
		return nil, false
	}
	c.Agent = in.agent
	c.CallerTrusted, c.Source = in.trusted, in.req.Source()
	return c, true
}

// answer sends our 200 with the SDP answer and, once its ACK came, hands
// the call to confirmAnswer.
func (e *Endpoint) answer(in *arrival, c *Call) {
	answer := c.AnswerSDP()
	c.Media().Start(e.pacer)
	e.calls.Store(c.Dialog().ID, c)
	delay := time.Since(in.received)
	// The call is answered when the 200 leaves (docs/kpis.md: answer
	// delay) and counts among the active calls from then on, as long as
	// it holds its channel: also while its ACK is awaited.
	ev := in.base
	ev.Kind, ev.Time, ev.Delay = call.CallAnswered, in.arrived.Add(delay), delay
	in.pub(ev)
	if out, err := c.SendAnswer(in.tx, answer, answerHeaders(in.timer)); out != inbound.AnswerAcked {
		e.calls.Delete(c.Dialog().ID)
		c.Abandon(out, err, in.free, in.ended)
		return
	}
	in.answered = true // from here the slot is freed by run, or by refuseLateAnswer
	e.confirmAnswer(c, in.timer, delay, in.free, in.ended)
}

// prepareCall negotiates media and opens the call's RTP stream. On error it
// returns the SIP status to answer with.
func (e *Endpoint) prepareCall(dlg *sipgo.DialogServerSession, req *sipmsg.Request, base call.Event, arrived time.Time, log *slog.Logger) (*Call, int, error) {
	late := len(req.Body()) == 0
	var neg sdp.Negotiated
	var sec *srtp.Session
	var code int
	var err error
	if late {
		// Late offer: our offer goes in the 200, the answer comes in the ACK.
		if neg, code, err = e.lateOfferMedia(base.Number); err != nil {
			return nil, code, err
		}
	} else {
		if ct := req.ContentType(); ct == nil || ct.Value() != "application/sdp" {
			what := ""
			if ct != nil {
				what = ct.Value()
			}
			return nil, sipmsg.StatusUnsupportedMediaType, fmt.Errorf("content type %q", what)
		}
		if neg, err = sdp.Negotiate(req.Body(), e.cfg.Codecs); err != nil {
			if errors.Is(err, sdp.ErrMalformedSDP) {
				return nil, sipmsg.StatusBadRequest, err
			}
			return nil, sipmsg.StatusNotAcceptableHere, err
		}
		if sec, code, err = sipsrtp.Caller(base.Number, e.secureNumber(base.Number), &neg); err != nil {
			return nil, code, err
		}
	}
	conn, port, err := e.ports.Acquire()
	if err != nil {
		return nil, sipmsg.StatusServiceUnavailable, fmt.Errorf("rtp port: %w", err)
	}
	rtpHost := e.cfg.RTPAdvertise
	stream := media.NewStream(conn, media.StreamConfig{
		Codec:             neg.Codec,
		PayloadType:       neg.PayloadType,
		DTMFPayloadType:   neg.DTMFPayloadType,
		Remote:            neg.Remote,
		InactivityTimeout: e.cfg.InactivityTimeout,
		SRTP:              sec,
	}, func() { e.ports.Release(port) })
	if !leg.ExpectsMedia(neg.Direction) {
		stream.SetExpectMedia(false)
	}
	if neg.Direction == sdp.Inactive || neg.Direction == sdp.SendOnly {
		stream.SetSending(false)
	}
	c := inbound.New(inbound.Params{
		ID: base.CallID, Caller: base.Caller, Number: base.Number, Arrived: arrived,
		Host: callHost{e}, Log: log, Dialog: dlg, Stream: stream, Neg: neg,
		LocalRTP:    netip.AddrPortFrom(rtpHost, uint16(port)),
		Late:        late,
		AllowUpdate: sipheader.AllowsMethod(req, "UPDATE"),
	})
	return c, 0, nil
}

// run is the call's goroutine: the handler, then cleanup.
func (e *Endpoint) run(c *Call) {
	defer e.slots.Release()
	go c.Watch()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	if e.handler != nil {
		e.handler(ctx, c)
	}
	c.StopSessionTimer()
	c.Hangup()
	e.calls.Delete(c.DialogID())
	c.Release()
	c.ReportLost()
}
