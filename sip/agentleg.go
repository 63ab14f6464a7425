package sip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
)

// Why ringing an agent did not give a connected leg.
var (
	ErrNoContact     = errors.New("agent has no registered phone")
	ErrAgentBusy     = errors.New("agent busy")
	ErrAgentDeclined = errors.New("agent declined")
	ErrNoAnswer      = errors.New("agent did not answer")
	ErrDialCancelled = errors.New("ringing cancelled")
	ErrDialFailed    = errors.New("call to agent failed")
)

// AgentLeg is the server's call to an agent's softphone: the second leg of
// the back-to-back user agent. Its RTP stream is bridged with the caller's.
type AgentLeg struct {
	Agent string

	e      *Endpoint
	dlg    *sipgo.DialogClientSession
	stream *media.Stream
	log    interface{ Info(string, ...any) }

	mu         sync.Mutex
	neg        media.Negotiated
	localRTP   netip.AddrPort
	sdpSession uint64
	sdpVersion uint64
	held       bool

	holds  chan bool  // true: the agent put the call on hold
	refers chan Refer // the agent transfers the call
	ending
	release sync.Once
}

// Refer is a transfer request from the agent's phone (RFC 3515).
type Refer struct {
	Target   string // user part of Refer-To: an agent, a queue or a flow node
	Replaces string // attended transfer: the Call-ID of the dialog to replace
	Replaced Replaces
	notify   func(code int, reason string)
}

// Notify tells the agent's phone how the transfer went (sipfrag NOTIFY).
func (r Refer) Notify(code int, reason string) {
	if r.notify != nil {
		r.notify(code, reason)
	}
}

// DialAgent rings every registered phone of agent at once, with the
// caller's number as the caller ID, and returns the leg of the first that
// answers. Cancelling ctx (the caller hung up) sends CANCEL; ringTimeout
// gives ErrNoAnswer.
func (e *Endpoint) DialAgent(ctx context.Context, agent, callerID string, ringTimeout time.Duration) (*AgentLeg, error) {
	bindings := e.registrar.Lookup(agent)
	if len(bindings) == 0 {
		return nil, ErrNoContact
	}
	conn, port, err := e.ports.Acquire()
	if err != nil {
		return nil, fmt.Errorf("%w: rtp port: %v", ErrDialFailed, err)
	}
	leg := &AgentLeg{
		Agent: agent, e: e, log: e.log,
		localRTP:   netip.AddrPortFrom(e.cfg.RTPAdvertise, uint16(port)),
		sdpSession: uint64(time.Now().UnixNano()), sdpVersion: 1,
		holds: make(chan bool, 4), refers: make(chan Refer, 2), ending: newEnding(),
	}
	offer, key, err := e.agentOffer(agent, leg.localRTP, leg.sdpSession)
	if err != nil {
		_ = conn.Close()
		e.ports.Release(port)
		return nil, fmt.Errorf("%w: %v", ErrDialFailed, err)
	}
	ringCtx, cancel := context.WithTimeout(ctx, ringTimeout)
	defer cancel()
	dlg, err := e.fork(ringCtx, bindings, callerID, offer)
	if err != nil {
		_ = conn.Close()
		e.ports.Release(port)
		switch {
		case ctx.Err() != nil:
			return nil, ErrDialCancelled
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			return nil, ErrNoAnswer
		}
		return nil, err
	}
	neg, err := media.Negotiate(dlg.InviteResponse.Body(), e.cfg.Codecs)
	var sec *media.SRTP
	if err == nil {
		sec, err = agentSRTP(key, &neg)
	}
	if err != nil {
		_ = conn.Close()
		e.ports.Release(port)
		_ = dlg.Ack(context.Background())
		_ = dlg.Bye(context.Background())
		return nil, fmt.Errorf("%w: agent answer: %v", ErrDialFailed, err)
	}
	leg.dlg, leg.neg = dlg, neg
	leg.stream = media.NewStream(conn, media.StreamConfig{
		Codec: neg.Codec, PayloadType: neg.PayloadType, DTMFPayloadType: neg.DTMFPayloadType,
		Remote: neg.Remote, InactivityTimeout: e.cfg.InactivityTimeout, SRTP: sec,
	}, func() { e.ports.Release(port) })
	if err := dlg.Ack(context.Background()); err != nil {
		leg.Close()
		return nil, fmt.Errorf("%w: ack: %v", ErrDialFailed, err)
	}
	leg.stream.Start(e.pacer)
	e.legs.Store(dlg.ID, leg)
	go leg.watch()
	return leg, nil
}

// fork sends one INVITE per binding and keeps the first to answer; the
// others are cancelled (or hung up if they answered too).
func (e *Endpoint) fork(ctx context.Context, bindings []Binding, callerID string, offer []byte) (*sipgo.DialogClientSession, error) {
	type result struct {
		dlg *sipgo.DialogClientSession
		err error
	}
	forkCtx, cancelForks := context.WithCancel(ctx)
	defer cancelForks()
	results := make(chan result, len(bindings))
	for _, b := range bindings {
		go func(b Binding) {
			dlg, err := e.inviteBinding(forkCtx, b, callerID, offer)
			results <- result{dlg, err}
		}(b)
	}
	var winner *sipgo.DialogClientSession
	var errs []error
	for range bindings {
		r := <-results
		switch {
		case r.err == nil && winner == nil:
			winner = r.dlg
			cancelForks()
		case r.err == nil:
			go func(d *sipgo.DialogClientSession) { // answered too late
				_ = d.Ack(context.Background())
				_ = d.Bye(context.Background())
			}(r.dlg)
		default:
			errs = append(errs, r.err)
		}
	}
	if winner != nil {
		return winner, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, pickDialError(errs)
}

func (e *Endpoint) inviteBinding(ctx context.Context, b Binding, callerID string, offer []byte) (*sipgo.DialogClientSession, error) {
	host := e.contactHost().String()
	req := sipmsg.NewRequest(sipmsg.INVITE, *b.Contact.Clone())
	from := &sipmsg.FromHeader{Address: sipmsg.Uri{User: callerID, Host: host}, Params: sipmsg.NewParams()}
	from.Params.Add("tag", sipmsg.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sipmsg.ToHeader{Address: sipmsg.Uri{User: b.User, Host: host}})
	req.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sipmsg.NewHeader("Allow", allowed))
	req.SetBody(offer)
	req.SetDestination(b.Source)
	req.SetTransport(b.Transport)
	dlg, err := e.dialogUA(b.Transport).WriteInvite(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDialFailed, err)
	}
	answered := make(chan error, 1)
	go func() { answered <- dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}) }()
	select {
	case err = <-answered:
	case <-ctx.Done():
		// sipgo now sends CANCEL and waits for the INVITE's final answer:
		// up to 64*T1 when the phone has gone away. That must hold neither
		// the ringing nor, in DialAgent, the leg's RTP port.
		go finishCancelled(dlg, answered)
		return nil, ctx.Err()
	}
	if err != nil {
		if res := dlg.InviteResponse; res != nil && res.IsSuccess() {
			go hangUpLateAnswer(dlg)
		}
		var de *sipgo.ErrDialogResponse
		if errors.As(err, &de) {
			return nil, statusError(de.Res.StatusCode)
		}
		return nil, err
	}
	return dlg, nil
}

// finishCancelled waits out a cancelled INVITE in the background and hangs
// up the call if the phone answered it after all.
func finishCancelled(dlg *sipgo.DialogClientSession, answered <-chan error) {
	err := <-answered
	if res := dlg.InviteResponse; err == nil || (res != nil && res.IsSuccess()) {
		hangUpLateAnswer(dlg)
		return
	}
	_ = dlg.Close()
}

// hangUpLateAnswer ends a dialog the phone answered just as we cancelled
// it (the 200 crossed our CANCEL): without ACK and BYE the phone would keep
// a call nobody is on.
func hangUpLateAnswer(dlg *sipgo.DialogClientSession) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	_ = dlg.Ack(ctx)
	_ = dlg.Bye(ctx)
	_ = dlg.Close()
}

func statusError(code int) error {
	switch code {
	case sipmsg.StatusBusyHere, sipmsg.StatusGlobalBusyEverywhere:
		return ErrAgentBusy
	case sipmsg.StatusGlobalDecline:
		return ErrAgentDeclined
	case sipmsg.StatusTemporarilyUnavailable, sipmsg.StatusRequestTimeout, sipmsg.StatusRequestTerminated:
		return ErrNoAnswer
	}
	return fmt.Errorf("%w: status %d", ErrDialFailed, code)
}

// pickDialError reports the most telling failure among forks: a busy or
// declining phone says more than one that did not answer.
func pickDialError(errs []error) error {
	for _, want := range []error{ErrAgentDeclined, ErrAgentBusy, ErrNoAnswer} {
		for _, err := range errs {
			if errors.Is(err, want) {
				return err
			}
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return ErrDialFailed
}

// Media is the agent's RTP stream.
func (l *AgentLeg) Media() *media.Stream { return l.stream }

// Holds delivers the agent's hold (true) and resume (false) re-INVITEs.
func (l *AgentLeg) Holds() <-chan bool { return l.holds }

// Refers delivers the agent's transfer requests.
func (l *AgentLeg) Refers() <-chan Refer { return l.refers }

// Held reports whether the agent holds the call now.
func (l *AgentLeg) Held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

// CallID is the SIP Call-ID of the agent leg.
func (l *AgentLeg) CallID() string { return l.dlg.InviteRequest.CallID().Value() }

// Hangup ends the leg from our side (BYE) and frees its media.
func (l *AgentLeg) Hangup() {
	if l.end(call.HangupByServer, "server") {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		defer cancel()
		_ = l.dlg.Bye(ctx)
	}
	l.Close()
}

// Close frees the leg's resources without signalling.
func (l *AgentLeg) Close() {
	l.end(call.HangupByServer, "server")
	l.release.Do(func() {
		if l.dlg != nil {
			l.e.legs.Delete(l.dlg.ID)
		}
		l.stream.Close()
	})
}

func (l *AgentLeg) watch() {
	select {
	case <-l.stream.Inactive():
		l.log.Info("agent leg rtp inactivity timeout", "agent", l.Agent)
		l.Hangup()
	case <-l.dlg.Context().Done():
		l.end(call.HangupByAgent, "bye")
		l.Close()
	case <-l.ended:
	}
}
