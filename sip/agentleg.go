package sip

import (
	"context"
	"net/netip"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media/srtp"
	"github.com/hotline-oss/hotline/sip/leg"
	"github.com/hotline-oss/hotline/sip/registrar"
	"github.com/hotline-oss/hotline/sip/sipsrtp"
	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// Why ringing an agent did not give a connected leg (package sipstatus).
var (
	ErrNoContact     = sipstatus.ErrNoContact
	ErrAgentBusy     = sipstatus.ErrAgentBusy
	ErrAgentDeclined = sipstatus.ErrAgentDeclined
	ErrNoAnswer      = sipstatus.ErrNoAnswer
	ErrDialCancelled = sipstatus.ErrDialCancelled
	ErrDialFailed    = sipstatus.ErrDialFailed
)

// StatusError is the final answer that failed a dial.
type StatusError = sipstatus.StatusError

// ErrorForStatus is the error a dial fails with when the far end answers
// code (see sipstatus.ErrorForStatus).
func ErrorForStatus(code int) error { return sipstatus.ErrorForStatus(code) }

// AgentLeg is the server's call to an agent's softphone, or to a customer
// called back (package leg keeps it and its in-dialog requests).
type AgentLeg = leg.Leg

// Refer is a transfer request from the agent's phone (RFC 3515).
type Refer = leg.Refer

// DialAgent rings every registered phone of agent at once, with the
// caller's number as the caller ID, and returns the leg of the first that
// answers. Cancelling ctx (the caller hung up) sends CANCEL; ringTimeout
// gives ErrNoAnswer.
func (e *Endpoint) DialAgent(ctx context.Context, agent, callerID string, ringTimeout time.Duration) (*AgentLeg, error) {
	return e.DialBindings(ctx, agent, callerID, e.registrar.Lookup(agent), ringTimeout)
}

// DialBindings is DialAgent to the given bindings of agent, which may
// have registered through another node of a cluster: the INVITE leaves
// from this endpoint, so the call's media and dialog stay here.
func (e *Endpoint) DialBindings(ctx context.Context, agent, callerID string, bindings []registrar.Binding, ringTimeout time.Duration) (*AgentLeg, error) {
	if len(bindings) == 0 {
		return nil, ErrNoContact
	}
	return e.dialer().Place(ctx, leg.Outbound{
		Name: agent, Peer: "agent", Codecs: e.cfg.AgentCodecs,
		Offer: func(local netip.AddrPort, session uint64) ([]byte, srtp.SDESKey, error) {
			return sipsrtp.AgentOffer(e.agentRequiresSecure(agent), e.cfg.AgentCodecs, local, session)
		},
		Ring: func(ctx context.Context, offer []byte) (*sipgo.DialogClientSession, error) {
			return e.fork(ctx, bindings, callerID, offer)
		},
	}, ringTimeout)
}

// fork rings every binding at once (leg.Fork).
func (e *Endpoint) fork(ctx context.Context, bindings []registrar.Binding, callerID string, offer []byte) (*sipgo.DialogClientSession, error) {
	return leg.Fork(ctx, len(bindings), func(ctx context.Context, i int) (*sipgo.DialogClientSession, error) {
		b := bindings[i]
		host := e.contactHost().String()
		return e.sendInvite(ctx, leg.Invite{
			Target: *b.Contact.Clone(), FromUser: callerID,
			To:   sipmsg.Uri{User: b.User, Host: host},
			Dest: b.Source, Transport: b.Transport,
		}, true, offer)
	})
}
