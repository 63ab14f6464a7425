package inbound

import (
	"errors"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media/dtmf"
)

// The requests of the caller's dialog besides re-INVITE and UPDATE
// (reinvite.go, sessiontimer.go): ACK, BYE, INFO.

// OnAck reads an ACK in the call's dialog. For the initial 2xx it
// confirms the dialog; after a late offer, or a re-INVITE without SDP, it
// carries the answer to our offer (lateoffer.go).
func (c *Call) OnAck(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	c.noteAck(req)
	_ = c.dlg.ReadAck(req, tx)
}

// OnBye reads the caller's BYE; a malformed one is answered 400.
func (c *Call) OnBye(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	// ReadBye ends the dialog, which wakes Watch before the line below
	// runs: byeSeen tells Watch that the caller's BYE ended it.
	c.byeSeen.Store(true)
	if err := c.dlg.ReadBye(req, tx); err != nil {
		c.byeSeen.Store(false)
		c.host.Reply(req, tx, sipmsg.StatusBadRequest, "Bad Request")
		return
	}
	c.ends.End(call.HangupByCaller, "bye")
}

// OnInfo reads a digit the caller sent as SIP INFO into InfoDigits.
func (c *Call) OnInfo(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	if ct == "" && len(req.Body()) == 0 {
		// An empty INFO is a keep-alive some phones send.
		c.host.Reply(req, tx, sipmsg.StatusOK, "OK")
		return
	}
	digit, err := dtmf.ParseINFO(ct, req.Body())
	if err != nil {
		if errors.Is(err, dtmf.ErrUnsupportedINFO) {
			c.host.Reply(req, tx, sipmsg.StatusUnsupportedMediaType, "Unsupported Media Type",
				sipmsg.NewHeader("Accept", "application/dtmf-relay, application/dtmf"))
			return
		}
		c.host.Reply(req, tx, sipmsg.StatusBadRequest, "Bad Request")
		return
	}
	c.host.Reply(req, tx, sipmsg.StatusOK, "OK")
	select {
	case c.infoDigits <- digit:
	default:
		c.log.Warn("dtmf INFO dropped: caller presses faster than the IVR reads")
	}
}
