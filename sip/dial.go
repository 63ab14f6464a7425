package sip

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
	"github.com/hotline-oss/hotline/sip/leg"
)

// dialer places the endpoint's legs (package leg).
func (e *Endpoint) dialer() leg.Dialer {
	return leg.Dialer{
		Host: legHost{e}, Log: e.log, Ports: e.ports, Pacer: e.pacer, RTPAddr: e.cfg.RTPAdvertise,
		Codecs: e.cfg.Codecs, Inactivity: e.cfg.InactivityTimeout, AckSent: e.ackSent,
	}
}

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
	return e.dialer().Place(ctx, leg.Outbound{
		Name: "callback", Peer: c.Peer, Codecs: e.cfg.Codecs,
		Offer: func(local netip.AddrPort, session uint64) ([]byte, srtp.SDESKey, error) {
			return sdp.BuildOffer(local, e.cfg.Codecs, 101, sdp.SendRecv, session, 1), srtp.SDESKey{}, nil
		},
		Ring: func(ctx context.Context, offer []byte) (*sipgo.DialogClientSession, error) {
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
