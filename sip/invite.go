package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
	"github.com/hotline-oss/hotline/sip/guard"
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
	// Durations are measured on the monotonic clock; event times come
	// from the server's clock, like every other event of the call.
	received := time.Now()
	arrived := e.now()
	number := e.calledNumber(req) // trunks.go: trunk rules, forwarding
	agent, ok := e.route(req, tx, number)
	if !ok {
		return
	}
	timer, ok := e.checkExtensions(req, tx)
	if !ok {
		return
	}
	// Agents' own calls (feature codes) are not hotline calls: they
	// appear in no call figure.
	pub := e.publish
	if agent != "" {
		pub = func(call.Event) {}
	}
	callID := ""
	if h := req.CallID(); h != nil {
		callID = h.Value()
	}
	caller, trusted := e.callerIdentity(req)
	base := call.Event{CallID: callID, Caller: caller, Number: number}
	log := e.log.With("call", callID, "caller", e.mask(caller), "number", number, "caller_trusted", trusted)

	if reason := e.reserveSlot(); reason != "" {
		log.Warn("call blocked", "reason", reason)
		ev := base
		ev.Kind, ev.Time, ev.Result, ev.Reason = call.CallBlocked, arrived, call.ResultBlocked, reason
		pub(ev)
		e.reject(guard.BlockedRejectReason(reason))
		e.reply(req, tx, sipmsg.StatusServiceUnavailable, "Service Unavailable",
			guard.RetryAfterHeader(e.overload.RetryAfter()))
		return
	}
	// The slot is freed as soon as the call is refused, before sipgo waits
	// for the ACK of the final response, so a caller retrying at once is
	// not refused for a call that is already over.
	var freeOnce sync.Once
	free := func() { freeOnce.Do(e.releaseSlot) }
	answered := false
	defer func() {
		if !answered {
			free()
		}
	}()

	ev := base
	ev.Kind, ev.Time = call.CallArrived, arrived
	pub(ev)
	ended := func(result call.Result, reason string) {
		ev := base
		ev.Kind, ev.Time, ev.Result, ev.Reason, ev.HangupBy = call.CallEnded, e.now(), result, reason, call.HangupByServer
		if result == call.ResultAbandonedInIVR {
			ev.HangupBy = call.HangupByCaller
		}
		pub(ev)
	}

	dlg, err := e.dialogUA(req.Transport()).ReadInvite(req, tx)
	if err != nil {
		log.Info("invalid INVITE", "err", err)
		free()
		e.reply(req, tx, sipmsg.StatusBadRequest, "Bad Request")
		ended(call.ResultFailed, "bad_request")
		return
	}
	_ = dlg.Respond(sipmsg.StatusTrying, "Trying", nil)

	c, code, err := e.prepareCall(dlg, req, base, arrived, log)
	if err != nil {
		log.Info("call refused", "code", code, "err", err)
		free()
		_ = dlg.Respond(code, sipstatus.ReasonPhrase(code), nil)
		_ = dlg.Close()
		ended(call.ResultFailed, sipstatus.RefusalReason(code, err))
		return
	}
	c.Agent = agent
	c.CallerTrusted, c.Source = trusted, req.Source()
	if !e.preAnswer(c) {
		return
	}
	if !e.beforeAnswer(c, req, ended) {
		return
	}

	answer := c.AnswerSDP()
	c.Media().Start(e.pacer)
	e.calls.Store(dlg.ID, c)
	delay := time.Since(received)
	// The call is answered when the 200 leaves (docs/kpis.md: answer
	// delay) and counts among the active calls from then on, as long as
	// it holds its channel: also while its ACK is awaited.
	ev = base
	ev.Kind, ev.Time, ev.Delay = call.CallAnswered, arrived.Add(delay), delay
	pub(ev)
	if out, err := c.SendAnswer(tx, answer, answerHeaders(timer)); out != inbound.AnswerAcked {
		e.calls.Delete(dlg.ID)
		c.Abandon(out, err, free, ended)
		return
	}
	answered = true // from here the slot is freed by run, or by refuseLateAnswer
	e.confirmAnswer(c, timer, delay, free, ended)
}

// route decides who may call number: anyone for a hotline number, an
// authenticated agent for an internal number (feature codes), nobody for
// anything else — the server never relays.
func (e *Endpoint) route(req *sipmsg.Request, tx sipmsg.ServerTransaction, number string) (agent string, ok bool) {
	if e.cfg.IsHotline(number) {
		return "", !e.refuseInsecure(req, tx, e.secureNumber(number), "number "+number)
	}
	if e.cfg.IsInternal != nil && e.cfg.IsInternal(number) {
		if e.redirectInternal(req, tx, number) {
			return "", false
		}
		return e.authenticate(req, tx)
	}
	e.log.Info("call to unknown number refused", "number", number)
	e.reply(req, tx, sipmsg.StatusNotFound, "Not Found")
	return "", false
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

// reserveSlot takes a channel for a new call, or says why it cannot.
func (e *Endpoint) reserveSlot() string {
	if e.draining.Load() {
		return "draining"
	}
	if e.slots.Add(1) > int64(e.cfg.MaxCalls) {
		e.slots.Add(-1)
		return "channel_limit"
	}
	if reason := e.overload.Admit(); reason != "" {
		e.slots.Add(-1)
		return reason
	}
	return ""
}

func (e *Endpoint) releaseSlot() {
	e.slots.Add(-1)
}

// run is the call's goroutine: the handler, then cleanup.
func (e *Endpoint) run(c *Call) {
	defer e.releaseSlot()
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
