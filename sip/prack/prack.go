package prack

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

// ErrNoPrack: a reliable provisional response went unacknowledged for
// 64*T1 (RFC 3262 section 3); the INVITE is then refused with a 5xx.
var ErrNoPrack = errors.New("reliable provisional response not acknowledged by PRACK")

// ErrInviteGone: the caller cancelled, or we are shutting down, while a
// provisional response waited.
var ErrInviteGone = errors.New("INVITE cancelled while a provisional response was pending")

// Early is the state of a caller's INVITE before its final response: the
// reliable provisional responses sent and the one awaiting its PRACK
// (RFC 3262). One INVITE has at most one unacknowledged at a time.
type Early struct {
	reliable bool   // provisionals go reliably (Require: 100rel, or Supported and we send SDP)
	cseq     uint32 // the INVITE's CSeq number, which RAck must repeat

	mu      sync.Mutex
	rseq    uint32        // the RSeq of the last reliable provisional sent
	pending chan struct{} // closed by its PRACK; nil when none is pending
}

// NewEarly reads what the INVITE allows: required reliability, or
// supported reliability used when a provisional carries SDP.
func NewEarly(req *sipmsg.Request, withSDP bool) *Early {
	required := sipheader.HasTag(req, "Require", "", sipheader.Tag100rel)
	supports := sipheader.HasTag(req, "Supported", "k", sipheader.Tag100rel)
	el := &Early{reliable: required || (supports && withSDP), cseq: req.CSeq().SeqNo}
	// RFC 3262 section 3: the first RSeq is chosen at random between 1
	// and 2**31 - 1.
	el.rseq = rand.Uint32N(1<<31-2) + 1
	return el
}

// Ack matches a PRACK's RAck to the pending provisional. A PRACK for the
// RSeq already acknowledged is a retransmission and is accepted again.
func (el *Early) Ack(rseq, cseq uint32, method string) bool {
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

// Reliable reports whether the INVITE's provisional responses go reliably.
func (el *Early) Reliable() bool { return el != nil && el.reliable }

// Send sends the provisional response res in dlg. When the INVITE asked
// for reliability it carries Require: 100rel and an RSeq, and it is
// retransmitted (t1, 2*t1, 4*t1, ...) until its PRACK arrives; after
// timeout ErrNoPrack is returned, and ErrInviteGone once the INVITE's
// dialog ends or stop is closed.
func Send(dlg *sipgo.DialogServerSession, el *Early, res *sipmsg.Response, t1, timeout time.Duration, stop <-chan struct{}) error {
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
	res.AppendHeader(sipmsg.NewHeader("RSeq", strconv.FormatUint(uint64(rseq), 10)))
	if err := dlg.WriteResponse(res); err != nil {
		return err
	}
	wait := t1
	deadline := time.NewTimer(timeout)
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
			return ErrNoPrack
		case <-dlg.Context().Done():
			return ErrInviteGone
		case <-stop:
			return ErrInviteGone
		}
	}
}
