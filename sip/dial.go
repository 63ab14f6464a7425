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
			return e.sendInvite(ctx, leg.Invite{
				Target: c.Target, FromUser: c.FromUser, To: *c.Target.Clone(),
				Dest: c.Dest, Transport: c.Transport,
				Username: c.Username, Password: c.Password,
				Heard: c.Heard, Assert: c.AssertIdentity,
			}, c.FromListener, offer)
		},
	}, ringTimeout)
}

// Logger is the endpoint's logger, for the parts that place calls for it.
func (e *Endpoint) Logger() *slog.Logger { return e.log }

// sendInvite sends inv with offer from our contact (and, fromListener,
// a UDP INVITE from the listening socket, so that the far end answers the
// address the Via names: a phone registered through another node has no
// connection with this one yet) and waits for the final answer.
func (e *Endpoint) sendInvite(ctx context.Context, inv leg.Invite, fromListener bool, offer []byte) (*sipgo.DialogClientSession, error) {
	inv.FromHost, inv.Allow = e.contactHost().String(), allowed
	if fromListener && e.udp != nil && sipmsg.NetworkToLower(inv.Transport) == "udp" {
		if host, port, err := sipmsg.ParseAddr(e.udp.LocalAddr().String()); err == nil {
			inv.Laddr = &sipmsg.Addr{IP: net.ParseIP(host), Port: port, Hostname: host}
		}
	}
	return leg.SendInvite(ctx, e.dialogUA(inv.Transport), inv, offer)
}
