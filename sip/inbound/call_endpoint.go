package inbound

import (
	"net/netip"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media/sdp"
)

// What the endpoint does with a call it keeps: answer it, end it, pass it
// the requests of its dialog.

// DialogID is the call's dialog ID, the key the endpoint keeps it under.
func (c *Call) DialogID() string { return c.dlg.ID }

// Late reports whether the INVITE had no SDP: our offer goes in the 200.
func (c *Call) Late() bool { return c.late }

// AnswerSDP is the SDP of our 200 (or 183): the answer to the caller's
// offer, or our offer after a late offer.
func (c *Call) AnswerSDP() []byte {
	if c.late {
		return c.offer()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.neg.Answer(c.localRTP, c.sdpSession, c.sdpVersion)
}

// Direction is the media direction negotiated with the caller.
func (c *Call) Direction() sdp.Direction {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.neg.Direction
}

// End records who ended the call and why; true for the first to end it
// (leg.Ending.End).
func (c *Call) End(by call.HangupBy, reason string) bool { return c.ends.End(by, reason) }

// ReportLost hands the stream's lost-packet count to OnPacketsLost.
func (c *Call) ReportLost() {
	if lost := c.stream.Stats().PacketsLost; lost > 0 && c.onLost != nil {
		c.onLost(lost)
	}
}

// Dialog is the call's server dialog, for the endpoint's answering of the
// INVITE (provisional responses, the 200, a refusal).
func (c *Call) Dialog() *sipgo.DialogServerSession { return c.dlg }

// Gone is closed when the call's dialog is over or was never set up: the
// caller cancelled, the answer was not acknowledged, or the dialog ended.
// Unlike Done it also covers a call whose handler never ran.
func (c *Call) Gone() <-chan struct{} { return c.dlg.Context().Done() }

// Ring sends 180 Ringing on a call not answered yet (a consult call while
// the colleague's phone rings).
func (c *Call) Ring() {
	_ = c.dlg.Respond(sipmsg.StatusRinging, "Ringing", nil)
}

// LocalRTP is our RTP address in the call's SDP.
func (c *Call) LocalRTP() netip.AddrPort { return c.localRTP }
