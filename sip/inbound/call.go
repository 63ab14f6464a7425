package inbound

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/sip/leg"
	"github.com/hotline-oss/hotline/sip/sipheader"
)

// Call is one answered caller leg: its dialog and its RTP stream.
type Call struct {
	ID     string
	Caller string
	// CallerTrusted is true when the call came from a trusted network
	// (sip.security.trusted_networks) or a trusted trunk (sip/admission),
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

	host   Host
	log    *slog.Logger
	dlg    *sipgo.DialogServerSession
	stream *media.Stream
	onLost func(uint64)

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
	byeSeen    atomic.Bool // the caller's BYE is being read (OnBye)
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
func (c *Call) Hangup() { c.HangupWith("server") }

// HangupWith ends the call from our side, reason being its EndReason: BYE
// if the dialog is still up.
func (c *Call) HangupWith(reason string) {
	if c.ends.End(call.HangupByServer, reason) {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		defer cancel()
		if err := c.dlg.Bye(ctx); err != nil {
			c.log.Debug("BYE failed", "err", err)
		}
	}
	_ = c.dlg.Close()
}

// Watch ends the call when the caller's RTP goes silent for longer than the
// inactivity timeout, or the dialog ends (BYE, transaction failure).
func (c *Call) Watch() {
	select {
	case <-c.stream.Inactive():
		c.log.Info("rtp inactivity timeout: hanging up")
		c.HangupWith("rtp_timeout")
	case <-c.dlg.Context().Done():
		reason := "dialog_ended"
		if c.byeSeen.Load() {
			reason = "bye"
		}
		c.ends.End(call.HangupByCaller, reason)
	case <-c.ends.Done():
	}
}

// Release closes the call's stream and frees its RTP port, once.
func (c *Call) Release() {
	c.released.Do(func() { c.stream.Close() })
}

// Params is what a new call starts from (New).
type Params struct {
	ID, Caller, Number string
	Arrived            time.Time
	Host               Host
	Log                *slog.Logger
	Dialog             *sipgo.DialogServerSession
	Stream             *media.Stream
	Neg                sdp.Negotiated
	LocalRTP           netip.AddrPort
	// Late: the INVITE had no SDP (lateoffer.go).
	Late bool
	// AllowUpdate: the caller accepts UPDATE, our refresh of choice.
	AllowUpdate bool
}

// New is a call answered from p; its SDP session id comes from the
// arrival time.
func New(p Params) *Call {
	return &Call{
		ID: p.ID, Caller: p.Caller, Number: p.Number, Arrived: p.Arrived,
		host: p.Host, log: p.Log, dlg: p.Dialog, stream: p.Stream, neg: p.Neg,
		localRTP:    p.LocalRTP,
		sdpSession:  uint64(p.Arrived.UnixNano()),
		sdpVersion:  1,
		infoDigits:  make(chan rune, 16),
		ends:        leg.NewEnding(),
		late:        p.Late,
		allowUpdate: p.AllowUpdate,
	}
}
