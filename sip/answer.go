package sip

import (
	"context"
	"errors"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
)

// answerOutcome is how the wait for the ACK of our 200 OK ended.
type answerOutcome uint8

const (
	answerAcked     answerOutcome = iota // the dialog is confirmed: the call runs
	answerNoAck                          // 64*T1 passed without an ACK
	answerCancelled                      // the caller left before the ACK
	answerHungUp                         // our side ended the call first (shutdown)
	answerFailed                         // the 200 could not be sent
)

// t1 is RFC 3261's round-trip estimate; every SIP timer derives from it.
func (e *Endpoint) t1() time.Duration {
	if e.cfg.T1 > 0 {
		return e.cfg.T1
	}
	return sipmsg.T1
}

// transactionTimeout is 64*T1: how long we wait for the ACK of a 2xx
// (RFC 3261 section 13.3.1.4, Timer L of RFC 6026) and for the answer to a
// request we send (Timer B for an INVITE, Timer F for a BYE).
func (e *Endpoint) transactionTimeout() time.Duration { return 64 * e.t1() }

// sendAnswer sends the 200 OK with sdp and waits for its ACK. sipgo
// retransmits the 200 while it waits (RFC 3261 section 13.3.1.4); after
// 64*T1 without an ACK the transaction is ended, which stops those
// retransmissions, and the call is to be hung up with a BYE.
func (e *Endpoint) sendAnswer(c *Call, tx sipmsg.ServerTransaction, sdp []byte, headers []sipmsg.Header) (answerOutcome, error) {
	res := sipmsg.NewSDPResponseFromRequest(c.Dialog().InviteRequest, sdp)
	for _, h := range headers {
		res.AppendHeader(h)
	}
	sent := make(chan error, 1)
	go func() { sent <- c.Dialog().WriteResponse(res) }()
	timer := time.NewTimer(e.transactionTimeout())
	defer timer.Stop()
	select {
	case err := <-sent:
		switch {
		case err == nil:
			return answerAcked, nil
		case errors.Is(err, sipmsg.ErrTransactionCanceled) || c.Dialog().Context().Err() != nil:
			return answerCancelled, err
		}
		return answerFailed, err
	case <-timer.C:
		tx.Terminate()
		return answerNoAck, nil
	case <-c.Done():
		// Ending the transaction lets the BYE of whoever ended the call
		// leave at once instead of waiting for the ACK.
		tx.Terminate()
		if c.HangupBy() == call.HangupByCaller {
			return answerCancelled, nil
		}
		return answerHungUp, nil
	}
}

// abandonAnswer cleans up a call whose 200 OK was never acknowledged: the
// channel and the RTP port are freed first, then the call is reported, then
// (when nobody did yet) a BYE ends the dialog the caller may think is up,
// its transaction bounded by 64*T1.
func (e *Endpoint) abandonAnswer(c *Call, out answerOutcome, err error, free func(), ended func(call.Result, string)) {
	who, reason := call.HangupByServer, "no_ack"
	if out == answerCancelled {
		who, reason = call.HangupByCaller, "not_answered"
	}
	ours := c.End(who, reason) // wakes whoever waits for this call
	c.Release()
	free()
	switch out {
	case answerCancelled:
		ended(call.ResultAbandonedInIVR, "cancelled")
	case answerHungUp:
		ended(call.ResultFailed, ReasonShutdown)
	default:
		c.Logger().Warn("answer not acknowledged: hanging up", "err", err, "waited", e.transactionTimeout())
		ended(call.ResultFailed, "no_ack")
	}
	if ours && out != answerCancelled {
		ctx, cancel := context.WithTimeout(e.ctx, e.transactionTimeout())
		if err := c.Dialog().Bye(ctx); err != nil {
			c.Logger().Info("BYE after a missing ACK got no answer", "err", err)
		}
		cancel()
	}
	_ = c.Dialog().Close()
}
