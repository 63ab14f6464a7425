package inbound

import (
	"context"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/sipheader"
)

// ReasonSessionExpired is the EndReason of a call whose session timer ran
// out: the refresh the caller owed never came (RFC 4028 section 10).
const ReasonSessionExpired = "session_expired"

// ReasonRefreshFailed is the EndReason of a call whose refresh we sent was
// answered 408 or 481 or not at all (RFC 4028 section 10).
const ReasonRefreshFailed = "session_refresh_failed"

// RefuseTimer answers a request whose session timer headers we cannot
// accept: 422 with our Min-SE when the interval is too small, 400 when a
// header is malformed. It reports whether it answered.
func RefuseTimer(h Host, req *sipmsg.Request, tx sipmsg.ServerTransaction, tooSmall bool, err error) bool {
	switch {
	case err != nil:
		h.Log().Info("session timer header refused", "method", req.Method.String(), "err", err)
		h.Reply(req, tx, sipmsg.StatusBadRequest, "Bad Request: "+err.Error())
		return true
	case tooSmall:
		minSE := h.TimerPolicy().MinSE
		h.Log().Info("Session-Expires below our Min-SE: 422", "method", req.Method.String(), "min_se", minSE)
		h.Reply(req, tx, 422, "Session Interval Too Small",
			sipmsg.NewHeader("Min-SE", sipheader.FormatSeconds(minSE)))
		return true
	}
	return false
}

// StartSessionTimer (re)arms the call's session timer after the INVITE or a
// refresh: as the refresher we refresh at half the interval, otherwise we
// end the call if no refresh comes before the interval runs out.
func (c *Call) StartSessionTimer(st sipheader.SessionTimer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sessTimer != nil {
		c.sessTimer.Stop()
		c.sessTimer = nil
	}
	c.session = st
	if !st.Active() || c.isEnded() {
		return
	}
	if st.Refresher == sipheader.RefresherUAS {
		c.sessTimer = time.AfterFunc(st.RefreshWait(), c.refreshSession)
		return
	}
	c.sessTimer = time.AfterFunc(st.ExpiryWait(), c.sessionExpired)
}

// StopSessionTimer disarms the timer at the end of the call.
func (c *Call) StopSessionTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sessTimer != nil {
		c.sessTimer.Stop()
		c.sessTimer = nil
	}
}

func (c *Call) isEnded() bool {
	select {
	case <-c.ends.Done():
		return true
	default:
		return false
	}
}

// sessionExpired ends a call whose refresher went quiet.
func (c *Call) sessionExpired() {
	c.mu.Lock()
	interval, who := c.session.Interval, c.session.Refresher
	c.mu.Unlock()
	if c.isEnded() {
		return
	}
	c.log.Warn("session expired: no refresh within the session interval, hanging up",
		"interval", interval, "refresher", who.String())
	c.host.SessionExpired()
	c.HangupWith(ReasonSessionExpired)
}

// refreshSession sends our refresh: UPDATE when the caller allows it (no
// SDP, no ACK), otherwise a re-INVITE with our current SDP. A 2xx rearms
// the timer with the interval it carries; 408, 481 or no answer ends the
// call; any other failure leaves the session to expire at the interval.
func (c *Call) refreshSession() {
	if c.isEnded() {
		return
	}
	h := c.host
	c.mu.Lock()
	st := c.session
	useUpdate := c.allowUpdate
	var body []byte
	if !useUpdate {
		body = c.neg.Answer(c.localRTP, c.sdpSession, c.sdpVersion)
	}
	c.mu.Unlock()
	method := sipmsg.INVITE
	if useUpdate {
		method = sipmsg.UPDATE
	}
	req := sipmsg.NewRequest(method, c.dlg.InviteRequest.Contact().Address)
	req.AppendHeader(sipmsg.NewHeader("Session-Expires", st.Header()))
	req.AppendHeader(sipmsg.NewHeader("Min-SE", sipheader.FormatSeconds(h.TimerPolicy().MinSE)))
	req.AppendHeader(sipmsg.NewHeader("Supported", sipheader.TagTimer))
	if body != nil {
		req.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(body)
	}
	ctx, cancel := context.WithTimeout(h.Context(), h.TransactionTimeout())
	defer cancel()
	res, err := c.dlg.Do(ctx, req)
	if res != nil && res.IsSuccess() && method == sipmsg.INVITE {
		ack := sipmsg.NewRequest(sipmsg.ACK, req.Recipient)
		if err := c.dlg.WriteRequest(ack); err != nil {
			c.log.Info("ACK of our refresh failed", "err", err)
		}
	}
	c.afterRefresh(st, method, res, err)
}

// afterRefresh applies the answer to our refresh.
func (c *Call) afterRefresh(st sipheader.SessionTimer, method sipmsg.RequestMethod, res *sipmsg.Response, err error) {
	switch {
	case res != nil && res.IsSuccess():
		next := st
		if h := res.GetHeader("Session-Expires"); h != nil {
			if d, who, perr := sipheader.ParseSessionExpires(h.Value()); perr == nil && d >= c.host.TimerPolicy().MinSE {
				next.Interval = d
				if who != 0 {
					next.Refresher = who
				}
			}
		}
		c.log.Debug("session refreshed", "method", method.String(), "interval", next.Interval)
		c.StartSessionTimer(next)
	case err != nil || res == nil ||
		res.StatusCode == sipmsg.StatusRequestTimeout || res.StatusCode == sipmsg.StatusCallTransactionDoesNotExists:
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		c.log.Warn("session refresh failed: hanging up", "method", method.String(), "status", status, "err", err)
		c.HangupWith(ReasonRefreshFailed)
	default:
		c.log.Info("session refresh refused: the session ends at its interval unless refreshed",
			"method", method.String(), "status", res.StatusCode)
		c.mu.Lock()
		if c.sessTimer != nil {
			c.sessTimer.Stop()
		}
		c.sessTimer = time.AfterFunc(st.Interval-st.RefreshWait()-min(32*time.Second, st.Interval/3), c.sessionExpired)
		c.mu.Unlock()
	}
}

// refreshTimer reads the session timer of a re-INVITE or UPDATE from the
// caller. Any such request, once answered 2xx, refreshes the session (RFC
// 4028 section 10): with Session-Expires it is negotiated anew, without it
// the current interval and refresher carry on. false when the request was
// refused (422 or 400, sent).
func (c *Call) refreshTimer(req *sipmsg.Request, tx sipmsg.ServerTransaction) (sipheader.SessionTimer, bool) {
	if req.GetHeader("Session-Expires") == nil && req.GetHeader("x") == nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.session, true
	}
	st, tooSmall, err := sipheader.NegotiateTimer(req, c.host.TimerPolicy())
	if RefuseTimer(c.host, req, tx, tooSmall, err) {
		return sipheader.SessionTimer{}, false
	}
	return st, true
}

// OnUpdate answers an UPDATE (RFC 3311) in the call's confirmed dialog: a
// session refresh when it has no body, a new offer (hold, resume, new
// address) when it has one.
func (c *Call) OnUpdate(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	st, ok := c.refreshTimer(req, tx)
	if !ok {
		return
	}
	if len(req.Body()) > 0 {
		changed, ok := c.reoffer(req, tx)
		if !ok {
			return
		}
		c.answerReInvite(req, tx, changed, st)
		return
	}
	res := sipmsg.NewResponseFromRequest(req, sipmsg.StatusOK, "OK", nil)
	res.AppendHeader(&sipmsg.ContactHeader{Address: c.host.Contact(req.Transport())})
	for _, h := range sipheader.TimerHeaders(st) {
		res.AppendHeader(h)
	}
	c.host.Respond(tx, res)
	c.StartSessionTimer(st)
}
