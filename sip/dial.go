package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
	"github.com/hotline-oss/hotline/sip/leg"
	"github.com/hotline-oss/hotline/sip/sipsrtp"
)

// outboundLeg is what differs between the calls the server places: to an
// agent's phones (DialAgent) or through the callback gateway.
type outboundLeg struct {
	name string // AgentLeg.Agent
	peer string // the far end, in errors: "agent" or "gateway"
	// codecs are those offered, which the answer must choose from; nil
	// means the endpoint's (callers' and gateways' codecs).
	codecs []rtpcodec.Codec
	// offer builds the SDP offer for the leg's RTP address; a valid key
	// means SRTP was offered and the answer must match it.
	offer func(local netip.AddrPort, session uint64) ([]byte, srtp.SDESKey, error)
	// ring sends the INVITE(s) and returns the answered dialog; it returns
	// ctx's error once ctx ends.
	ring func(ctx context.Context, offer []byte) (*sipgo.DialogClientSession, error)
}

// dialLeg places an outbound call from a fresh RTP port and returns its
// connected, acknowledged leg. Cancelling ctx gives ErrDialCancelled,
// ringTimeout ErrNoAnswer; the port is released on every failure.
func (e *Endpoint) dialLeg(ctx context.Context, o outboundLeg, ringTimeout time.Duration) (*AgentLeg, error) {
	conn, port, err := e.ports.Acquire()
	if err != nil {
		return nil, fmt.Errorf("%w: rtp port: %v", ErrDialFailed, err)
	}
	l := leg.New(o.name, legHost{e}, e.log,
		netip.AddrPortFrom(e.cfg.RTPAdvertise, uint16(port)), uint64(time.Now().UnixNano()))
	release := func() {
		_ = conn.Close()
		e.ports.Release(port)
	}
	offer, key, err := o.offer(l.LocalRTP(), l.SDPSession())
	if err != nil {
		release()
		return nil, fmt.Errorf("%w: %v", ErrDialFailed, err)
	}
	ringCtx, cancel := context.WithTimeout(ctx, ringTimeout)
	defer cancel()
	dlg, err := o.ring(ringCtx, offer)
	if err != nil {
		release()
		switch {
		case ctx.Err() != nil:
			return nil, ErrDialCancelled
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			return nil, ErrNoAnswer
		}
		return nil, err
	}
	codecs := o.codecs
	if codecs == nil {
		codecs = e.cfg.Codecs
	}
	neg, err := sdp.Negotiate(dlg.InviteResponse.Body(), codecs)
	var sec *srtp.Session
	if err == nil {
		sec, err = sipsrtp.Agent(key, &neg)
	}
	if err != nil {
		release()
		_ = dlg.Ack(context.Background())
		_ = dlg.Bye(context.Background())
		return nil, fmt.Errorf("%w: %s answer: %v", ErrDialFailed, o.peer, err)
	}
	stream := media.NewStream(conn, media.StreamConfig{
		Codec: neg.Codec, PayloadType: neg.PayloadType, DTMFPayloadType: neg.DTMFPayloadType,
		Remote: neg.Remote, InactivityTimeout: e.cfg.InactivityTimeout, SRTP: sec,
	}, func() { e.ports.Release(port) })
	l.Connect(dlg, neg, stream)
	// The leg takes in-dialog requests before the ACK leaves: the far end
	// may hang up (or re-INVITE) the moment the ACK reaches it, and its
	// BYE, handled on another goroutine, must not find the dialog missing
	// (481), which would leave this side bridged to nobody.
	stream.Start(e.pacer)
	e.legs.Store(dlg.ID, l)
	go l.Watch()
	if err := dlg.Ack(context.Background()); err != nil {
		l.Close()
		return nil, fmt.Errorf("%w: ack: %v", ErrDialFailed, err)
	}
	if e.ackSent != nil {
		e.ackSent()
	}
	return l, nil
}

// outboundInvite addresses one INVITE the server sends.
// OutboundCall is a call the server places to a number outside: through
// the callback gateway or a carrier's trunk (package sip/callout decides
// which). It offers plain RTP with the callers' codecs.
type OutboundCall struct {
	Peer      string     // the far end, in errors: "gateway" or "trunk NAME"
	Target    sipmsg.Uri // Request-URI
	FromUser  string     // caller ID
	Dest      string     // host:port the INVITE goes to
	Transport string     // UDP or TCP
	// Username and Password answer 401 and 407 challenges (trunks);
	// empty: they are not answered.
	Username, Password string
	// Heard, when set, is called at every response: the far end is alive.
	Heard func()
	// AssertIdentity adds P-Asserted-Identity with FromUser (RFC 3325).
	AssertIdentity bool
	// FromListener sends a UDP INVITE from the listening socket, so that
	// a node listening on its own address (a cluster node) hears the
	// answers.
	FromListener bool
}

// DialOut places c from a fresh RTP port and returns the answered leg,
// with the errors of DialAgent.
func (e *Endpoint) DialOut(ctx context.Context, c OutboundCall, ringTimeout time.Duration) (*AgentLeg, error) {
	return e.dialLeg(ctx, outboundLeg{
		name: "callback", peer: c.Peer, codecs: e.cfg.Codecs,
		offer: func(local netip.AddrPort, session uint64) ([]byte, srtp.SDESKey, error) {
			return sdp.BuildOffer(local, e.cfg.Codecs, 101, sdp.SendRecv, session, 1), srtp.SDESKey{}, nil
		},
		ring: func(ctx context.Context, offer []byte) (*sipgo.DialogClientSession, error) {
			return e.sendInvite(ctx, outboundInvite{
				target: c.Target, fromUser: c.FromUser, to: *c.Target.Clone(),
				dest: c.Dest, transport: c.Transport,
				username: c.Username, password: c.Password,
				heard: c.Heard, assert: c.AssertIdentity, fromListener: c.FromListener,
			}, offer)
		},
	}, ringTimeout)
}

// Logger is the endpoint's logger, for the parts that place calls for it.
func (e *Endpoint) Logger() *slog.Logger { return e.log }

type outboundInvite struct {
	target    sipmsg.Uri // Request-URI
	fromUser  string     // caller ID
	to        sipmsg.Uri
	dest      string // host:port the request goes to
	transport string
	// fromListener sends a UDP request from the listening socket even
	// when no connection to dest exists yet.
	fromListener bool
	// auth answers 401 and 407 challenges (trunks); empty: not answered
	username, password string
	// heard, when set, is called at every response (trunks: the far end
	// is alive).
	heard func()
	// assert adds P-Asserted-Identity with fromUser (RFC 3325), for a
	// trunk in the same trust domain.
	assert bool
}

func (inv outboundInvite) onResponse(*sipmsg.Response) error {
	if inv.heard != nil {
		inv.heard()
	}
	return nil
}

// sendInvite sends an INVITE with offer and waits for the final answer
// (leg.Dial).
func (e *Endpoint) sendInvite(ctx context.Context, inv outboundInvite, offer []byte) (*sipgo.DialogClientSession, error) {
	req := sipmsg.NewRequest(sipmsg.INVITE, inv.target)
	from := &sipmsg.FromHeader{Address: sipmsg.Uri{User: inv.fromUser, Host: e.contactHost().String()}, Params: sipmsg.NewParams()}
	from.Params.Add("tag", sipmsg.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sipmsg.ToHeader{Address: inv.to})
	if inv.assert && inv.fromUser != "" {
		req.AppendHeader(sipmsg.NewHeader("P-Asserted-Identity", "<"+from.Address.String()+">"))
	}
	req.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sipmsg.NewHeader("Allow", allowed))
	req.SetBody(offer)
	req.SetDestination(inv.dest)
	req.SetTransport(inv.transport)
	if inv.fromListener && e.udp != nil && sipmsg.NetworkToLower(inv.transport) == "udp" {
		// From the listening socket: the far end answers the address it
		// sees, which must be the one the Via names (a phone registered
		// through another node has no connection with this one yet).
		if host, port, err := sipmsg.ParseAddr(e.udp.LocalAddr().String()); err == nil {
			req.Laddr = sipmsg.Addr{IP: net.ParseIP(host), Port: port, Hostname: host}
		}
	}
	return leg.Dial(ctx, e.dialogUA(inv.transport), req, sipgo.AnswerOptions{
		Username: inv.username, Password: inv.password, OnResponse: inv.onResponse,
	})
}
