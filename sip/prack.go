package sip

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/sipheader"
)

// errNoPrack: a reliable provisional response went unacknowledged for
// 64*T1 (RFC 3262 section 3); the INVITE is then refused with a 5xx.
var errNoPrack = errors.New("reliable provisional response not acknowledged by PRACK")

// errInviteGone: the caller cancelled, or we are shutting down, while a
// provisional response waited.
var errInviteGone = errors.New("INVITE cancelled while a provisional response was pending")

// early is the state of a caller's INVITE before its final response: the
// reliable provisional responses sent and the one awaiting its PRACK
// (RFC 3262). One INVITE has at most one unacknowledged at a time.
type early struct {
	reliable bool   // provisionals go reliably (Require: 100rel, or Supported and we send SDP)
	cseq     uint32 // the INVITE's CSeq number, which RAck must repeat

	mu      sync.Mutex
	rseq    uint32        // the RSeq of the last reliable provisional sent
	pending chan struct{} // closed by its PRACK; nil when none is pending
}

// newEarly reads what the INVITE allows: required reliability, or
// supported reliability used when a provisional carries SDP.
func newEarly(req *sipmsg.Request, withSDP bool) *early {
	required := sipheader.HasTag(req, "Require", "", sipheader.Tag100rel)
	supports := sipheader.HasTag(req, "Supported", "k", sipheader.Tag100rel)
	el := &early{reliable: required || (supports && withSDP), cseq: req.CSeq().SeqNo}
	// RFC 3262 section 3: the first RSeq is chosen at random between 1
	// and 2**31 - 1.
	el.rseq = rand.Uint32N(1<<31-2) + 1
	return el
}

// ack matches a PRACK's RAck to the pending provisional. A PRACK for the
// RSeq already acknowledged is a retransmission and is accepted again.
func (el *early) ack(rseq, cseq uint32, method string) bool {
	el.mu.Lock()
	defer el.mu.Unlock()
	if cseq != el.cseq || !strings.EqualFold(method, "INVITE") || rseq != el.rseq {
		return false
	}
	if el.pending != nil {
		close(el.pending)
		el.pending = nil
	}
	return true
}

// provisional sends a 1xx for the caller's INVITE, with sdp when not nil.
// When the INVITE asked for reliability it carries Require: 100rel and an
// RSeq, and it is retransmitted (T1, 2*T1, 4*T1, ...) until its PRACK
// arrives; after 64*T1 errNoPrack is returned.
func (e *Endpoint) provisional(dlg *sipgo.DialogServerSession, el *early, code int, reason string, sdp []byte) error {
	res := sipmsg.NewResponseFromRequest(dlg.InviteRequest, code, reason, sdp)
	if sdp != nil {
		res.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	}
	res.AppendHeader(sipmsg.NewHeader("Allow", allowed))
	if el == nil || !el.reliable {
		return dlg.WriteResponse(res)
	}
	el.mu.Lock()
	el.rseq++
	acked := make(chan struct{})
	el.pending = acked
	rseq := el.rseq
	el.mu.Unlock()
	res.AppendHeader(sipmsg.NewHeader("Require", sipheader.Tag100rel))
	res.AppendHeader(sipmsg.NewHeader("RSeq", formatUint(rseq)))
	if err := dlg.WriteResponse(res); err != nil {
		return err
	}
	wait := e.t1()
	deadline := time.NewTimer(e.transactionTimeout())
	defer deadline.Stop()
	retry := time.NewTimer(wait)
	defer retry.Stop()
	for {
		select {
		case <-acked:
			return nil
		case <-retry.C:
			if err := dlg.WriteResponse(res); err != nil {
				return err
			}
			wait *= 2
			retry.Reset(wait)
		case <-deadline.C:
			return errNoPrack
		case <-dlg.Context().Done():
			return errInviteGone
		case <-e.ctx.Done():
			return errInviteGone
		}
	}
}

// onPrack acknowledges a reliable provisional response: 200 when its RAck
// names the pending (or the last acknowledged) one, 481 when it names no
// provisional we sent in that dialog (RFC 3262 section 3).
func (e *Endpoint) onPrack(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	id, err := sipmsg.DialogIDFromRequestUAS(req)
	var el *early
	if err == nil {
		if v, ok := e.early.Load(id); ok {
			el = v.(*early)
		}
	}
	h := req.GetHeader("RAck")
	if h == nil {
		e.reply(req, tx, sipmsg.StatusBadRequest, "Bad Request: no RAck")
		return
	}
	rseq, cseq, method, err := sipheader.ParseRAck(h.Value())
	if err != nil {
		e.log.Info("PRACK refused", "err", err)
		e.reply(req, tx, sipmsg.StatusBadRequest, "Bad Request: "+err.Error())
		return
	}
	if el == nil || !el.ack(rseq, cseq, method) {
		e.log.Info("PRACK for no provisional response of ours: 481", "rseq", rseq, "cseq", cseq)
		e.reply(req, tx, sipmsg.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	e.reply(req, tx, sipmsg.StatusOK, "OK")
}

func formatUint(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
