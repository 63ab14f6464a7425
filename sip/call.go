package sip

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/sip/leg"
	"github.com/hotline-oss/hotline/sip/sipheader"
	"github.com/hotline-oss/hotline/sip/sipsrtp"
	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// Call is one answered caller leg: its dialog and its RTP stream.
type Call struct {
	ID     string
	Caller string
	// CallerTrusted is true when the call came from a trusted network
	// (sip.security.trusted_networks) or a trusted trunk (trunks.go),
	// where Caller is the number the carrier asserts. Otherwise Caller is
	// only what From claims: it may be shown, never dialled back.
	CallerTrusted bool
	// Source is the address the INVITE came from (ip:port).
	Source  string
	Number  string
	Arrived time.Time
	// Agent is set when an authenticated agent placed the call (to a
	// feature code); empty for callers.
	Agent string

	endpoint *Endpoint
	log      *slog.Logger
	dlg      *sipgo.DialogServerSession
	stream   *media.Stream
	onLost   func(uint64)

	mu         sync.Mutex
	neg        sdp.Negotiated
	localRTP   netip.AddrPort
	sdpSession uint64
	sdpVersion uint64

	// late: the INVITE had no SDP; our offer went in the 200 and the
	// answer comes in the ACK (lateoffer.go).
	late    bool
	ackSeen bool
	ackType string
	ackBody []byte
	// reofferCSeq is the CSeq of a re-INVITE without SDP whose 200 carried
	// our offer: its ACK brings the answer. 0: none pending.
	reofferCSeq uint32

	// session timer (sessiontimer.go); allowUpdate: the caller accepts
	// UPDATE, our refresh of choice.
	session     sipheader.SessionTimer
	sessTimer   *time.Timer
	allowUpdate bool

	infoDigits chan rune
	byeSeen    atomic.Bool // the caller's BYE is being read (onBye)
	ends       leg.Ending
	released   sync.Once
}

// Done is closed when the call has ended, from either side or by RTP
// inactivity.
func (c *Call) Done() <-chan struct{} { return c.ends.Done() }

// HangupBy says who ended the call; valid once Done is closed.
func (c *Call) HangupBy() call.HangupBy { return c.ends.HangupBy() }

// EndReason says why the call ended (see leg.Ending.EndReason); valid once
// Done is closed.
func (c *Call) EndReason() string { return c.ends.EndReason() }

// Media is the caller's RTP stream (playback, digits, statistics).
func (c *Call) Media() *media.Stream { return c.stream }

// InfoDigits delivers digits the caller sent as SIP INFO.
func (c *Call) InfoDigits() <-chan rune { return c.infoDigits }

// Logger is the call's logger (call id, masked caller).
func (c *Call) Logger() *slog.Logger { return c.log }

// OnPacketsLost sets where the stream's lost-packet count goes at the end.
func (c *Call) OnPacketsLost(f func(uint64)) { c.onLost = f }

// Hangup ends the call from our side: BYE if the dialog is still up.
func (c *Call) Hangup() { c.hangup("server") }

func (c *Call) hangup(reason string) {
	if c.ends.End(call.HangupByServer, reason) {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		defer cancel()
		if err := c.dlg.Bye(ctx); err != nil {
			c.log.Debug("BYE failed", "err", err)
		}
	}
	_ = c.dlg.Close()
}

// watch ends the call when the caller's RTP goes silent for longer than the
// inactivity timeout, or the dialog ends (BYE, transaction failure).
func (c *Call) watch() {
	select {
	case <-c.stream.Inactive():
		c.log.Info("rtp inactivity timeout: hanging up")
		c.hangup("rtp_timeout")
	case <-c.dlg.Context().Done():
		reason := "dialog_ended"
		if c.byeSeen.Load() {
			reason = "bye"
		}
		c.ends.End(call.HangupByCaller, reason)
	case <-c.ends.Done():
	}
}

func (c *Call) release() {
	c.released.Do(func() { c.stream.Close() })
}

// onReInvite answers a re-INVITE in an existing dialog: a session refresh,
// hold (sendonly/inactive, or c=0.0.0.0) or resume, or a new remote address
// or codec.
func (e *Endpoint) onReInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	c := e.lookup(req)
	if c == nil {
		if l := e.lookupLeg(req); l != nil {
			l.OnReInvite(req, tx)
			return
		}
		e.reply(req, tx, sipmsg.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	st, ok := e.refreshTimer(c, req, tx)
	if !ok {
		return
	}
	if len(req.Body()) == 0 {
		// No offer (often a session refresh): ours goes in the 200 and
		// the answer comes in the ACK (lateoffer.go).
		e.offerInReInvite(c, req, tx, st)
		return
	}
	changed, ok := e.reoffer(c, req, tx)
	if !ok {
		return
	}
	e.answerReInvite(c, req, tx, changed, st)
}

// reoffer applies a new offer in the dialog (re-INVITE or UPDATE); false
// when it was refused (the response is sent). While the caller holds
// (sendonly or inactive) nothing is expected from it, so RTP inactivity
// does not end the call; sendrecv resumes both.
func (e *Endpoint) reoffer(c *Call, req *sipmsg.Request, tx sipmsg.ServerTransaction) (changed, ok bool) {
	c.mu.Lock()
	codec := c.neg.Codec
	c.mu.Unlock()
	neg, err := sdp.Negotiate(req.Body(), []rtpcodec.Codec{codec})
	if err != nil {
		code := sipmsg.StatusNotAcceptableHere
		if errors.Is(err, sdp.ErrMalformedSDP) {
			code = sipmsg.StatusBadRequest
		}
		e.reply(req, tx, code, sipstatus.ReasonPhrase(code))
		return false, false
	}
	c.mu.Lock()
	err = sipsrtp.Rekey(c.stream, c.neg, &neg)
	c.mu.Unlock()
	if err != nil {
		c.log.Info("re-INVITE refused", "err", err)
		e.reply(req, tx, sipmsg.StatusNotAcceptableHere, sipstatus.ReasonPhrase(sipmsg.StatusNotAcceptableHere))
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

func (e *Endpoint) answerReInvite(c *Call, req *sipmsg.Request, tx sipmsg.ServerTransaction, changed bool, st sipheader.SessionTimer) {
	c.mu.Lock()
	if changed {
		c.sdpVersion++
	}
	answer := c.neg.Answer(c.localRTP, c.sdpSession, c.sdpVersion)
	c.mu.Unlock()
	res := sipmsg.NewSDPResponseFromRequest(req, answer)
	res.AppendHeader(&sipmsg.ContactHeader{Address: e.dialogUA(req.Transport()).ContactHDR.Address})
	for _, h := range sipheader.TimerHeaders(st) {
		res.AppendHeader(h)
	}
	e.respond(tx, res)
	c.startSessionTimer(st)
}
