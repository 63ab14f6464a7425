package app

import (
	"context"
	"net/netip"
	"time"

	"github.com/hotline-oss/hotline/sip"
)

// A consult call belongs on the node that holds the caller the
// consulting agent serves: there the attended transfer that may follow
// bridges the caller with the colleague locally (nodes relay no media).
// A consult call that lands elsewhere is redirected there (sip's
// RedirectInternal, docs/cluster.md).

// agentCalls is what the clustered queueing tells about an agent's call.
type agentCalls interface {
	AgentCallNode(agent string) (callID, node string)
}

// applyConsultRedirect redirects agents' consult calls to the node of
// the caller they serve.
func (s *Server) applyConsultRedirect(c *sip.Config) {
	if s.cluster == nil {
		return
	}
	c.RedirectInternal = s.consultRedirect
}

// consultRedirect is the endpoint's RedirectInternal: an agent's call to
// a colleague's extension goes to the node holding the caller the agent
// talks to (or holds) when that is another node; no redirect otherwise,
// nor when that node's SIP address is unknown (the consult then stays
// here, and an attended transfer of it fails as before).
func (s *Server) consultRedirect(agent, number string) (netip.AddrPort, bool) {
	n := s.cluster
	calls, ok := s.acd.(agentCalls)
	if n == nil || !ok || !s.acd.IsAgent(number) || !s.acd.IsAgent(agent) || agent == number {
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
		s.log.Info("consult call not redirected", "agent", agent, "call", callID, "node", node, "err", err)
		return netip.AddrPort{}, false
	}
	to, err := netip.ParseAddrPort(addr)
	if err != nil {
		s.log.Warn("consult call not redirected: bad node address", "node", node, "addr", addr, "err", err)
		return netip.AddrPort{}, false
	}
	return to, true
}

// publishSIPAddress tells the other nodes where phones reach this one,
// once the endpoint listens: the target of consult calls redirected here.
func (s *Server) publishSIPAddress() {
	if s.cluster == nil || s.sip == nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.cluster.ctx, 5*time.Second)
	defer cancel()
	if err := s.cluster.member.PublishSIP(ctx, s.sip.ContactAddr().String()); err != nil {
		s.log.Warn("cluster: SIP address not published; consult calls are not redirected here", "err", err)
	}
}
