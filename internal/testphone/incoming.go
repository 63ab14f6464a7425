package testphone

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/rtpaudio"
	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// eventBuffer is the capacity of the Incoming, Ringing and Offers channels.
// The phone never blocks on them: a test that does not read loses the
// surplus (with a log line), the calls themselves go on.
const eventBuffer = 64

type answerKind uint8

const (
	answerRefuse answerKind = iota // the zero mode: 480, as before agents existed
	answerAuto
	answerReject
	answerNever
)

// AnswerMode says what the phone does with an incoming INVITE. The zero
// value turns every incoming call away with 480.
type AnswerMode struct {
	kind  answerKind
	code  int
	delay time.Duration
}

// AutoAnswer answers at once: 180, then 200 with an SDP answer, with media
// running as on an outgoing call.
var AutoAnswer = AnswerMode{kind: answerAuto}

// NoAnswer sends 180 and lets the call ring until the server cancels it.
var NoAnswer = AnswerMode{kind: answerNever}

// AutoAnswerAfter rings for delay, then answers like AutoAnswer; a CANCEL
// during the delay wins.
func AutoAnswerAfter(delay time.Duration) AnswerMode {
	return AnswerMode{kind: answerAuto, delay: delay}
}

// Reject turns incoming calls away with code, e.g. 486 busy or 603 decline.
func Reject(code int) AnswerMode {
	return AnswerMode{kind: answerReject, code: code}
}

// Offer is one incoming INVITE and what became of it.
type Offer struct {
	CallID string
	From   string // user part of From: the caller ID the server presented
	To     string // user part of To
	At     time.Time
	// Status is the final response the phone sent: 200 answered, the
	// Reject code, 480 refused or closing; 487 when cancelled. It is 0 on
	// the copy sent to Ringing.
	Status    int
	Cancelled bool // the server sent CANCEL before any final response
}

// SetAnswerMode chooses how later incoming calls are handled.
func (p *Phone) SetAnswerMode(mode AnswerMode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answerMode = mode
}

// Incoming delivers each incoming call once it is answered and confirmed
// by the server's ACK.
func (p *Phone) Incoming() <-chan *Call { return p.incoming }

// Ringing delivers each incoming INVITE as it arrives, before any answer.
func (p *Phone) Ringing() <-chan Offer { return p.ringing }

// Offers delivers each incoming INVITE once its outcome is known: answered,
// rejected, refused or cancelled.
func (p *Phone) Offers() <-chan Offer { return p.offers }

// admitIncoming reads the answer mode and, unless the phone is closing,
// registers the caller with ringingWG so that Close waits for it.
func (p *Phone) admitIncoming() (AnswerMode, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return AnswerMode{}, false
	}
	p.ringingWG.Add(1)
	return p.answerMode, true
}

// handleIncoming runs in sipgo's goroutine for this INVITE, and keeps it
// for as long as the call rings.
func (p *Phone) handleIncoming(req *sip.Request, tx sip.ServerTransaction) {
	offer := offerFrom(req)
	// Admit before telling Ringing: a test that sees the call ring and then
	// closes the phone must find it in ringingWG, or Close could shut the
	// transport before the call's 480 is sent.
	mode, ok := p.admitIncoming()
	publish(p, p.ringing, offer, "ringing")
	if !ok {
		p.respond(req, tx, sip.StatusTemporarilyUnavailable, "Phone Closing", nil)
		offer.Status = sip.StatusTemporarilyUnavailable
		publish(p, p.offers, offer, "offer")
		return
	}
	defer p.ringingWG.Done()
	if mode.kind == answerRefuse {
		p.respond(req, tx, sip.StatusTemporarilyUnavailable, "Incoming Calls Not Supported", nil)
		offer.Status = sip.StatusTemporarilyUnavailable
		publish(p, p.offers, offer, "offer")
		return
	}
	dialog, err := p.answered.ReadInvite(req, tx)
	if err != nil {
		p.log.Warn("testphone: incoming INVITE", "error", err)
		p.respond(req, tx, sip.StatusBadRequest, "Bad Request", nil)
		return
	}
	offer.Status, offer.Cancelled = p.runIncoming(req, dialog, mode)
	if offer.Status != sip.StatusOK {
		_ = dialog.Close() // drops the cache entry; an answered call does it when it ends
	}
	publish(p, p.offers, offer, "offer")
}

func offerFrom(req *sip.Request) Offer {
	o := Offer{At: time.Now()}
	if h := req.CallID(); h != nil {
		o.CallID = h.Value()
	}
	if h := req.From(); h != nil {
		o.From = h.Address.User
	}
	if h := req.To(); h != nil {
		o.To = h.Address.User
	}
	return o
}

// runIncoming plays out one answer mode and returns the final status sent
// (0 if the transaction died without one) and whether a CANCEL ended it.
func (p *Phone) runIncoming(req *sip.Request, dialog *sipgo.DialogServerSession, mode AnswerMode) (int, bool) {
	if mode.kind == answerReject {
		return p.rejectIncoming(dialog, mode.code)
	}
	if err := dialog.Respond(sip.StatusRinging, "Ringing", nil); err != nil {
		return p.unanswered(dialog, err)
	}
	var answerAt <-chan time.Time // nil: ring until the server gives up
	switch {
	case mode.kind == answerAuto && mode.delay <= 0:
		return p.answerIncoming(req, dialog)
	case mode.kind == answerAuto:
		timer := time.NewTimer(mode.delay)
		defer timer.Stop()
		answerAt = timer.C
	}
	select {
	case <-dialog.Context().Done():
		return p.unanswered(dialog, context.Cause(dialog.Context()))
	case <-p.closing:
		return p.rejectIncoming(dialog, sip.StatusTemporarilyUnavailable)
	case <-answerAt:
		return p.answerIncoming(req, dialog)
	}
}

// unanswered classifies an INVITE transaction that ended under us. sipgo
// itself answers a CANCEL with 200 and the INVITE with 487.
func (p *Phone) unanswered(dialog *sipgo.DialogServerSession, err error) (int, bool) {
	if wasCancelled(dialog) {
		return sip.StatusRequestTerminated, true
	}
	p.log.Warn("testphone: incoming call ended before an answer", "error", err)
	return 0, false
}

func wasCancelled(dialog *sipgo.DialogServerSession) bool {
	return errors.Is(context.Cause(dialog.Context()), sip.ErrTransactionCanceled)
}

func (p *Phone) rejectIncoming(dialog *sipgo.DialogServerSession, code int) (int, bool) {
	if err := dialog.Respond(code, reasonPhrase(code), nil); err != nil {
		return p.unanswered(dialog, err)
	}
	return code, false
}

func reasonPhrase(code int) string {
	switch code {
	case sip.StatusBusyHere:
		return "Busy Here"
	case sip.StatusGlobalDecline:
		return "Decline"
	case sip.StatusTemporarilyUnavailable:
		return "Temporarily Unavailable"
	case sip.StatusNotAcceptableHere:
		return "Not Acceptable Here"
	case sip.StatusGlobalBusyEverywhere:
		return "Busy Everywhere"
	}
	return "Rejected"
}

// answerIncoming accepts the server's offer, starts media and sends 200;
// sipgo returns once the ACK arrived. The call is tracked before the 200
// so that a BYE right behind the ACK finds it.
func (p *Phone) answerIncoming(req *sip.Request, dialog *sipgo.DialogServerSession) (int, bool) {
	remote, err := sdpoffer.Parse(req.Body(), p.codecs)
	if err != nil {
		p.log.Warn("testphone: incoming offer", "error", err)
		return p.rejectIncoming(dialog, sip.StatusNotAcceptableHere)
	}
	if p.dtmfPT == 0 {
		remote.DTMFPT = 0 // we will not answer with telephone-event, so never send it
	}
	if p.cfg.SRTP && remote.Crypto == "" {
		p.log.Warn("testphone: incoming offer without SRTP refused")
		return p.rejectIncoming(dialog, sip.StatusNotAcceptableHere)
	}
	media, err := rtpaudio.Open(p.cfg.LocalIP, p.log)
	if err != nil {
		p.log.Warn("testphone: incoming call media", "error", err)
		return p.rejectIncoming(dialog, sip.StatusInternalServerError)
	}
	c := newCall(p, dialog, incomingInfo(dialog), media, p.nextSession.Add(1)+uint64(time.Now().UnixNano()))
	c.remoteSDP, c.remote = string(req.Body()), remote
	answer, err := c.answerSDP(remote, c.sessionID, c.sdpVersion, remote.DTMFPT)
	if err == nil {
		err = media.Start(remote, remote.DTMFPT) // events reach us under the type we echoed
	}
	if err != nil {
		media.Close()
		p.log.Warn("testphone: answering incoming call", "error", err)
		return p.rejectIncoming(dialog, sip.StatusInternalServerError)
	}
	if !p.track(c) {
		media.Close()
		return p.rejectIncoming(dialog, sip.StatusTemporarilyUnavailable)
	}
	c.finishWithDialog()
	if err := dialog.RespondSDP(answer); err != nil {
		c.finish()
		if wasCancelled(dialog) { // the CANCEL overtook our 200
			return sip.StatusRequestTerminated, true
		}
		// Answered, but no ACK came, or a BYE overtook it (sipgo handles
		// each message in its own goroutine): deliver the ended call anyway.
		p.log.Debug("testphone: incoming call not confirmed", "error", err)
	}
	publish(p, p.incoming, c, "incoming call")
	return sip.StatusOK, false
}

// publish hands v to a test without ever blocking the phone.
func publish[T any](p *Phone, ch chan T, v T, what string) {
	select {
	case ch <- v:
	default:
		p.log.Warn("testphone: event dropped, nobody is reading", "event", what)
	}
}
