package leg

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/sip/sipheader"
)

// Host is what a leg needs of the endpoint that placed it.
type Host interface {
	// Keep routes the in-dialog requests of dialog id to l, from before
	// its ACK leaves; Forget stops that once the leg has ended.
	Keep(id string, l *Leg)
	Forget(id string)
	// Contact is our Contact for a dialog on transport.
	Contact(transport string) sipmsg.Uri
}

// Logger is where a leg reports what went wrong with it.
type Logger interface {
	Info(string, ...any)
	Debug(string, ...any)
}

// Leg is the server's call to a phone: an agent's softphone, or a
// customer called back through the gateway or a trunk. It is the second
// leg of the back-to-back user agent; its RTP stream is bridged with the
// caller's.
type Leg struct {
	Agent string

	host   Host
	dlg    *sipgo.DialogClientSession
	stream *media.Stream
	log    Logger

	mu         sync.Mutex
	neg        sdp.Negotiated
	localRTP   netip.AddrPort
	sdpSession uint64
	sdpVersion uint64
	held       bool

	holds   chan bool  // true: the agent put the call on hold
	refers  chan Refer // the agent transfers the call
	ends    Ending
	release sync.Once
}

// Refer is a transfer request from the agent's phone (RFC 3515).
type Refer struct {
	Target   string // user part of Refer-To: an agent, a queue or a flow node
	Replaces string // attended transfer: the Call-ID of the dialog to replace
	Replaced sipheader.Replaces
	notify   func(code int, reason string)
}

// Notify tells the agent's phone how the transfer went (sipfrag NOTIFY).
func (r Refer) Notify(code int, reason string) {
	if r.notify != nil {
		r.notify(code, reason)
	}
}

// New is a leg about to be dialled, named name, with its RTP address and
// SDP session id for the offer.
func New(name string, host Host, log Logger, localRTP netip.AddrPort, session uint64) *Leg {
	return &Leg{
		Agent: name, host: host, log: log, localRTP: localRTP, sdpSession: session, sdpVersion: 1,
		holds: make(chan bool, 4), refers: make(chan Refer, 2), ends: NewEnding(),
	}
}

// LocalRTP is the leg's RTP address, as offered.
func (l *Leg) LocalRTP() netip.AddrPort { return l.localRTP }

// SDPSession is the session id of the leg's SDP.
func (l *Leg) SDPSession() uint64 { return l.sdpSession }

// Connect gives the leg its answered dialog, the negotiated media and its
// stream. The endpoint then routes the dialog's requests to the leg and
// runs Watch, before the ACK leaves.
func (l *Leg) Connect(dlg *sipgo.DialogClientSession, neg sdp.Negotiated, stream *media.Stream) {
	l.dlg, l.neg, l.stream = dlg, neg, stream
}

// Media is the agent's RTP stream.
func (l *Leg) Media() *media.Stream { return l.stream }

// Holds delivers the agent's hold (true) and resume (false) re-INVITEs.
func (l *Leg) Holds() <-chan bool { return l.holds }

// Refers delivers the agent's transfer requests.
func (l *Leg) Refers() <-chan Refer { return l.refers }

// Held reports whether the agent holds the call now.
func (l *Leg) Held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

// CallID is the SIP Call-ID of the leg.
func (l *Leg) CallID() string { return l.dlg.InviteRequest.CallID().Value() }

// Done is closed when the leg has ended, from either side or by RTP
// inactivity.
func (l *Leg) Done() <-chan struct{} { return l.ends.Done() }

// HangupBy says who ended the leg; valid once Done is closed.
func (l *Leg) HangupBy() call.HangupBy { return l.ends.HangupBy() }

// EndReason says why the leg ended (see Ending.EndReason); valid once Done
// is closed.
func (l *Leg) EndReason() string { return l.ends.EndReason() }

// Hangup ends the leg from our side (BYE) and frees its media.
func (l *Leg) Hangup() {
	if l.ends.End(call.HangupByServer, "server") {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		defer cancel()
		_ = l.dlg.Bye(ctx)
	}
	l.Close()
}

// Close frees the leg's resources without signalling.
func (l *Leg) Close() {
	l.ends.End(call.HangupByServer, "server")
	l.release.Do(func() {
		if l.dlg != nil {
			l.host.Forget(l.dlg.ID)
		}
		l.stream.Close()
	})
}

// Watch ends the leg when its RTP goes quiet for too long or its dialog
// ends; it returns once the leg has ended. The endpoint runs it once, on
// a goroutine of its own, after Connect.
func (l *Leg) Watch() {
	select {
	case <-l.stream.Inactive():
		l.log.Info("agent leg rtp inactivity timeout", "agent", l.Agent)
		l.Hangup()
	case <-l.dlg.Context().Done():
		l.ends.End(call.HangupByAgent, "bye")
		l.Close()
	case <-l.ends.Done():
	}
}

// ExpectsMedia says whether silence from a peer that offered dir counts
// toward the RTP inactivity timeout. Only sendrecv does: a peer that
// holds with sendonly may send music but often sends nothing at all, and
// a held call must not be ended for it.
func ExpectsMedia(dir sdp.Direction) bool { return dir == sdp.SendRecv }
