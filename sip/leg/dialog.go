package leg

import (
	"context"
	"fmt"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/sip/sipheader"
	"github.com/hotline-oss/hotline/sip/sipsrtp"
)

// The endpoint passes the requests of a leg's dialog to these.

// OnBye takes the agent's BYE: the leg ends.
func (l *Leg) OnBye(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if err := l.dlg.ReadBye(req, tx); err != nil {
		l.log.Debug("agent BYE", "err", err)
	}
	l.ends.End(call.HangupByAgent, "bye")
	// The leg's media goes now: the watcher may see the end before the
	// dialog's, and then it frees nothing.
	l.Close()
}

// OnReInvite answers the agent's hold and resume: sendonly or inactive
// means hold (we answer recvonly/inactive and stop sending to the agent).
func (l *Leg) OnReInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	l.mu.Lock()
	codec := l.neg.Codec
	l.mu.Unlock()
	if len(req.Body()) > 0 {
		neg, err := sdp.Negotiate(req.Body(), []rtpcodec.Codec{codec})
		if err == nil {
			l.mu.Lock()
			err = sipsrtp.Rekey(l.stream, l.neg, &neg)
			l.mu.Unlock()
		}
		if err != nil {
			l.reply(req, tx, sipmsg.StatusNotAcceptableHere, "Not Acceptable Here")
			return
		}
		held := neg.Direction == sdp.SendOnly || neg.Direction == sdp.Inactive
		l.mu.Lock()
		changed := neg.Direction != l.neg.Direction || neg.Remote != l.neg.Remote || neg.LocalCrypto != l.neg.LocalCrypto
		wasHeld := l.held
		l.neg, l.held = neg, held
		if changed {
			l.sdpVersion++
		}
		l.mu.Unlock()
		l.stream.SetRemote(neg.Remote)
		l.stream.SetSending(neg.Direction == sdp.SendRecv || neg.Direction == sdp.RecvOnly)
		l.stream.SetExpectMedia(ExpectsMedia(neg.Direction))
		if held != wasHeld {
			select {
			case l.holds <- held:
			default:
			}
		}
	}
	l.mu.Lock()
	answer := l.neg.Answer(l.localRTP, l.sdpSession, l.sdpVersion)
	l.mu.Unlock()
	res := sipmsg.NewSDPResponseFromRequest(req, answer)
	res.AppendHeader(&sipmsg.ContactHeader{Address: l.host.Contact(req.Transport())})
	l.respond(tx, res)
}

// OnRefer takes a transfer request from the agent's phone: 202, then the
// runtime carries it out and reports with NOTIFY.
func (l *Leg) OnRefer(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	h := req.GetHeader("Refer-To")
	if h == nil {
		l.reply(req, tx, sipmsg.StatusBadRequest, "Bad Request")
		return
	}
	target, replaces, err := sipheader.ParseReferTo(h.Value())
	if err != nil {
		l.reply(req, tx, sipmsg.StatusBadRequest, "Bad Request")
		return
	}
	replaced, _, err := sipheader.ReferReplaces(h.Value())
	if err != nil {
		l.reply(req, tx, sipmsg.StatusBadRequest, "Bad Request")
		return
	}
	l.reply(req, tx, sipmsg.StatusAccepted, "Accepted")
	// The final NOTIFY is sent before the leg is hung up (the runtime
	// calls Notify synchronously); this provisional one must not delay
	// the 202's handler, but must not be overtaken by a quick final one
	// either, or the phone would take "100 Trying" for the outcome.
	trying := make(chan struct{})
	go func() {
		defer close(trying)
		l.notifyRefer(sipmsg.StatusTrying, "Trying")
	}()
	notify := func(code int, reason string) {
		<-trying
		l.notifyRefer(code, reason)
	}
	r := Refer{Target: target, Replaces: replaces, Replaced: replaced, notify: notify}
	select {
	case l.refers <- r:
	default:
		r.Notify(sipmsg.StatusServiceUnavailable, "Service Unavailable")
	}
}

// notifyRefer sends a sipfrag NOTIFY and waits for its answer, so that a
// BYE sent afterwards cannot overtake it.
func (l *Leg) notifyRefer(code int, reason string) {
	req := sipmsg.NewRequest(sipmsg.NOTIFY, l.dlg.InviteResponse.Contact().Address)
	state := "active"
	if code >= 200 {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sipmsg.NewHeader("Event", "refer"))
	req.AppendHeader(sipmsg.NewHeader("Subscription-State", state))
	req.AppendHeader(sipmsg.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(fmt.Sprintf("SIP/2.0 %d %s\r\n", code, reason)))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.dlg.Do(ctx, req); err != nil {
		l.log.Info("refer NOTIFY failed", "agent", l.Agent, "err", err)
	}
}

func (l *Leg) reply(req *sipmsg.Request, tx sipmsg.ServerTransaction, code int, reason string) {
	l.respond(tx, sipmsg.NewResponseFromRequest(req, code, reason, nil))
}

func (l *Leg) respond(tx sipmsg.ServerTransaction, res *sipmsg.Response) {
	if err := tx.Respond(res); err != nil {
		l.log.Debug("sip respond failed", "code", res.StatusCode, "err", err)
	}
}
