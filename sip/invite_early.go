package sip

import (
	"errors"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/sip/prack"
	"github.com/hotline-oss/hotline/sip/sipheader"
)

// What carriers send besides a plain INVITE with an SDP offer: option tags
// the caller requires, session timers, late offer, reliable provisional
// responses and early media. The steps below run in onInvite's order,
// after admission (admission.Gate.CheckExtensions refused what we cannot serve).

// earlyPrompts is the announcement to play in 183 for the call, if any. A
// late offer has no SDP to answer in a 183, so it gets none.
func (e *Endpoint) earlyPrompts(c *Call) []*playout.Prompt {
	if e.cfg.EarlyMedia == nil || c.Late() || c.Agent != "" {
		return nil
	}
	return e.cfg.EarlyMedia(c.Number)
}

// beforeAnswer runs what happens between the INVITE and the 200: the early
// media announcement, then the configured ringing, each provisional
// response reliable when the INVITE asks for it. On false the call is over
// (cancelled or refused) and reported; the caller frees its slot.
func (e *Endpoint) beforeAnswer(c *Call, req *sipmsg.Request, ended func(call.Result, string)) bool {
	el := prack.NewEarly(req, len(e.earlyPrompts(c)) > 0)
	e.early.Store(c.Dialog().ID, el)
	defer e.early.Delete(c.Dialog().ID)
	var err error
	if prompts := e.earlyPrompts(c); len(prompts) > 0 {
		err = e.playEarly(c, el, prompts)
	}
	if err == nil && e.cfg.AnswerDelay > 0 {
		err = e.ring(c, el)
	}
	if err == nil {
		return true
	}
	c.Release()
	switch {
	case errors.Is(err, prack.ErrInviteGone):
		ended(call.ResultAbandonedInIVR, "cancelled")
	case errors.Is(err, prack.ErrNoPrack):
		c.Logger().Warn("no PRACK for our reliable provisional response: refusing the call", "waited", e.transactionTimeout())
		_ = c.Dialog().Respond(sipmsg.StatusInternalServerError, "Reliable Provisional Response Not Acknowledged", nil)
		ended(call.ResultFailed, "no_prack")
	default:
		c.Logger().Info("provisional response failed", "err", err)
		ended(call.ResultFailed, "provisional_failed")
	}
	_ = c.Dialog().Close()
	return false
}

// ring sends 180 (reliably when required) and waits the configured answer
// delay.
func (e *Endpoint) ring(c *Call, el *prack.Early) error {
	if err := e.provisional(c.Dialog(), el, sipmsg.StatusRinging, "Ringing", nil); err != nil {
		return err
	}
	t := time.NewTimer(e.cfg.AnswerDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-c.Dialog().Context().Done():
		return prack.ErrInviteGone
	case <-e.ctx.Done():
		return prack.ErrInviteGone
	}
}

// playEarly sends 183 Session Progress with our SDP answer and plays the
// announcement before the call is answered (inbound.Call.PlayEarly).
func (e *Endpoint) playEarly(c *Call, el *prack.Early, prompts []*playout.Prompt) error {
	return c.PlayEarly(e.pacer, prompts, el.Reliable(), func(sdp []byte) error {
		return e.provisional(c.Dialog(), el, sipmsg.StatusSessionInProgress, "Session Progress", sdp)
	})
}

// confirmAnswer runs once the ACK of our 200 came: a late offer's answer
// is applied (or the call ended with BYE), the session timer armed, and
// the call handed to its goroutine.
func (e *Endpoint) confirmAnswer(c *Call, st sipheader.SessionTimer, delay time.Duration, free func(), ended func(call.Result, string)) {
	if c.Late() {
		if err := c.ApplyLateAnswer(); err != nil {
			e.refuseLateAnswer(c, err, free, ended)
			return
		}
	}
	c.Logger().Info("call answered", "codec", c.Codec().String(), "rtp", c.LocalRTP().String(), "delay", delay,
		"late_offer", c.Late(), "session_expires", st.Interval, "refresher", st.Refresher.String())
	c.StartSessionTimer(st)
	go e.run(c)
}

// answerHeaders are the headers of our 200 to the INVITE besides the SDP.
func answerHeaders(st sipheader.SessionTimer) []sipmsg.Header {
	hs := []sipmsg.Header{
		sipmsg.NewHeader("Supported", sipheader.Supported),
		sipmsg.NewHeader("Allow", allowed),
	}
	return append(hs, sipheader.TimerHeaders(st)...)
}
