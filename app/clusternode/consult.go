package clusternode

import (
	"context"
	"net/netip"
	"time"
)

// A consult call belongs on the node that holds the caller the
// consulting agent serves: there the attended transfer that may follow
// bridges the caller with the colleague locally (nodes relay no media).
// A consult call that lands elsewhere is redirected there (sip's
// RedirectInternal, docs/cluster.md).

// Agents is what the server's queueing tells about agents.
type Agents interface {
	IsAgent(number string) bool
}

// agentCalls is what the clustered queueing tells about an agent's call.
type agentCalls interface {
	AgentCallNode(agent string) (callID, node string)
}

// ConsultRedirect is the endpoint's RedirectInternal, given the server's
// queueing (nil without queues): an agent's call to a colleague's
// extension goes to the node holding the caller the agent talks to (or
// holds) when that is another node; no redirect otherwise, nor when that
// node's SIP address is unknown (the consult then stays here, and an
// attended transfer of it fails as before).
func (n *Node) ConsultRedirect(queues Agents, agent, number string) (netip.AddrPort, bool) {
	calls, ok := queues.(agentCalls)
	if !ok || !queues.IsAgent(number) || !queues.IsAgent(agent) || agent == number {
		return netip.AddrPort{}, false
	}
	callID, node := calls.AgentCallNode(agent)
	if node == "" || node == n.conn.Node {
		return netip.AddrPort{}, false
	}
	ctx, cancel := context.WithTimeout(n.ctx, time.Second)
	defer cancel()
	addr, err := n.member.SIPAddress(ctx, node)
	if err != nil {
		n.log.Info("consult call not redirected", "agent", agent, "call", callID, "node", node, "err", err)
		return netip.AddrPort{}, false
	}
	to, err := netip.ParseAddrPort(addr)
	if err != nil {
		n.log.Warn("consult call not redirected: bad node address", "node", node, "addr", addr, "err", err)
		return netip.AddrPort{}, false
	}
	return to, true
}

// PublishSIPAddress tells the other nodes where phones reach this one,
// once the endpoint listens: the target of consult calls redirected here.
func (n *Node) PublishSIPAddress(addr string) {
	ctx, cancel := context.WithTimeout(n.ctx, 5*time.Second)
	defer cancel()
	if err := n.member.PublishSIP(ctx, addr); err != nil {
		n.log.Warn("cluster: SIP address not published; consult calls are not redirected here", "err", err)
	}
}
