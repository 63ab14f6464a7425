package inbound

import (
	"context"
	"errors"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
)

// ReasonShutdown is the EndReason of the calls the endpoint ends at the
// end of its shutdown grace: the server cut them, not the caller.
const ReasonShutdown = "server_shutdown"

// AnswerOutcome is how the wait for the ACK of our 200 OK ended.
type AnswerOutcome uint8

const (
	AnswerAcked     AnswerOutcome = iota // the dialog is confirmed: the call runs
	AnswerNoAck                          // 64*T1 passed without an ACK
	AnswerCancelled                      // the caller left before the ACK
	AnswerHungUp                         // our side ended the call first (shutdown)
	AnswerFailed                         // the 200 could not be sent
)

// SendAnswer sends the 200 OK with sdp and waits for its ACK. sipgo
// retransmits the 200 while it waits (RFC 3261 section 13.3.1.4); after
// 64*T1 without an ACK the transaction is ended, which stops those
// retransmissions, and the call is to be hung up with a BYE.
func (c *Call) SendAnswer(tx sipmsg.ServerTransaction, sdp []byte, headers []sipmsg.Header) (AnswerOutcome, error) {
	res := sipmsg.NewSDPResponseFromRequest(c.dlg.InviteRequest, sdp)
	for _, h := range headers {
		res.AppendHeader(h)
	}
	sent := make(chan error, 1)
	go func() { sent <- c.dlg.WriteResponse(res) }()
	timer := time.NewTimer(c.host.TransactionTimeout())
	defer timer.Stop()
	select {
	case err := <-sent:
		switch {
		case err == nil:
			return AnswerAcked, nil
		case errors.Is(err, sipmsg.ErrTransactionCanceled) || c.dlg.Context().Err() != nil:
			return AnswerCancelled, err
		}
		return AnswerFailed, err
	case <-timer.C:
		tx.Terminate()
		return AnswerNoAck, nil
	case <-c.Done():
		// Ending the transaction lets the BYE of whoever ended the call
		// leave at once instead of waiting for the ACK.
		tx.Terminate()
		if c.HangupBy() == call.HangupByCaller {
			return AnswerCancelled, nil
		}
		return AnswerHungUp, nil
	}
}

// Abandon cleans up a call whose 200 OK was never acknowledged: the
// channel and the RTP port are freed first, then the call is reported, then
// (when nobody did yet) a BYE ends the dialog the caller may think is up,
// its transaction bounded by 64*T1.
func (c *Call) Abandon(out AnswerOutcome, err error, free func(), ended func(call.Result, string)) {
	who, reason := call.HangupByServer, "no_ack"
	if out == AnswerCancelled {
		who, reason = call.HangupByCaller, "not_answered"
	}
	ours := c.ends.End(who, reason) // wakes whoever waits for this call
	c.Release()
	free()
	switch out {
	case AnswerCancelled:
		ended(call.ResultAbandonedInIVR, "cancelled")
	case AnswerHungUp:
		ended(call.ResultFailed, ReasonShutdown)
	default:
		c.log.Warn("answer not acknowledged: hanging up", "err", err, "waited", c.host.TransactionTimeout())
		ended(call.ResultFailed, "no_ack")
	}
	if ours && out != AnswerCancelled {
		ctx, cancel := context.WithTimeout(c.host.Context(), c.host.TransactionTimeout())
		if err := c.dlg.Bye(ctx); err != nil {
			c.log.Info("BYE after a missing ACK got no answer", "err", err)
		}
		cancel()
	}
	_ = c.dlg.Close()
}
