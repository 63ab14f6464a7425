package clusternode

import (
	"context"
	"fmt"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/callflow"
	"github.com/hotline-oss/hotline/cluster"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/registrar"
)

// dialer rings an agent's phones wherever they registered: the INVITE
// leaves from this node, whose endpoint keeps the call's media.
type dialer struct {
	deps Deps
	regs *cluster.Registrations
}

func (d dialer) DialAgent(ctx context.Context, agent, caller string, timeout time.Duration) (*sip.AgentLeg, error) {
	rctx, cancel := context.WithTimeout(ctx, time.Second)
	regs, err := d.regs.Contacts(rctx, agent)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", sip.ErrDialFailed, err)
	}
	var bindings []registrar.Binding
	for _, g := range regs {
		var uri sipmsg.Uri
		if err := sipmsg.ParseUri(g.Contact, &uri); err != nil {
			continue
		}
		bindings = append(bindings, registrar.Binding{User: agent, Contact: uri, Source: g.Source, Transport: g.Transport, Expires: g.Expires})
	}
	return d.deps.SIP().DialBindings(ctx, agent, caller, bindings, timeout)
}

func (d dialer) Failure(err error) acd.OfferFailure { return d.deps.Failure(err) }

// phones tells whether an agent has a phone registered through any
// node: this node's own registrar answers for its phones (the shared
// copy is written in the background), the shared registrations for the
// other nodes'.
type phones struct {
	sip  func() *sip.Endpoint
	regs *cluster.Registrations
	node string
}

func (p phones) Registered(agent string) bool {
	if ep := p.sip(); ep != nil && len(ep.Bindings(agent)) > 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	regs, err := p.regs.Contacts(ctx, agent)
	if err != nil {
		return false
	}
	for _, g := range regs {
		if g.Node != p.node {
			return true
		}
	}
	return false
}

// ApplySIP shares the phones registered here and refuses new calls
// while NATS is away.
func (n *Node) ApplySIP(c *sip.Config) {
	c.OnBindings = n.sync.set
	onReg := c.OnRegistration
	c.OnRegistration = func(user string, registered bool) {
		if !registered {
			n.sync.set(user, nil)
		}
		if onReg != nil {
			onReg(user, registered)
		}
	}
	c.Overload.Admit = n.admit
	n.conn.WatchLink(nil, n.sync.resync)
}

// CallPhones is what the call path rings agents' phones with: a consult
// call rings the colleague's phones wherever they registered, as the
// queue does.
func (n *Node) CallPhones(ep *sip.Endpoint) callflow.Phones {
	return callPhones{Endpoint: ep, dial: dialer{n.deps, n.regs}}
}

// callPhones is the endpoint with the cluster's agent dialling.
type callPhones struct {
	*sip.Endpoint
	dial dialer
}

func (p callPhones) DialAgent(ctx context.Context, agent, caller string, timeout time.Duration) (*sip.AgentLeg, error) {
	return p.dial.DialAgent(ctx, agent, caller, timeout)
}
