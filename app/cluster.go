package app

import (
	"net/netip"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/app/clusternode"
	"github.com/hotline-oss/hotline/app/snapshot"
	"github.com/hotline-oss/hotline/callflow"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/store/cdr"
)

// The cluster node (cluster.enabled) is app/clusternode's; these are the
// server's parts handed to it and the places the server asks it.

// startCluster connects to NATS, checks this node's configuration
// against the live nodes', and builds the clustered queueing in place of
// the standalone runtime. SIP is built after it: the dialer and the
// shared registrations read s.sip when they are used.
func (s *Server) startCluster() error {
	d := clusternode.Deps{
		Config: s.cfg, ACD: s.compiled.acd, Queues: s.compiled.queues,
		Registry: s.metrics.Registry(), Log: s.log,
		Clock:           func() time.Time { return s.clock.Now() },
		SIP:             func() *sip.Endpoint { return s.sip },
		Failure:         agentDialer{s}.Failure,
		Publish:         s.bus.Publish,
		OnInternalError: func() { s.internalErrors.inc("acd") },
		RecordLost: func(r cdr.CallRecord) bool {
			if s.store == nil {
				return false
			}
			s.store.RecordIfAbsent(r)
			return true
		},
		AdoptCallbacks: func(calls []string) {
			if s.callbacks != nil {
				s.callbacks.Adopt(calls)
			}
		},
	}
	if s.workforce != nil {
		d.Workforce = s.workforce
	}
	n, err := clusternode.Start(d)
	if err != nil {
		return err
	}
	if q := n.Queue(); q != nil {
		s.acd = q
	}
	s.cluster = n
	return nil
}

// runCluster starts the node's election and routing once SIP listens,
// publishes where phones reach this node and follows the other nodes'
// reloads.
func (s *Server) runCluster() {
	n := s.cluster
	n.Run() // decisions may ring agents from now on
	if s.sip != nil {
		n.PublishSIPAddress(s.sip.ContactAddr().String())
	}
	n.FollowReloads(&s.reload)
	n.ConvergeACD(&s.reload, func() acd.Config { return s.compiled.acd })
}

// applyClusterSIP shares the phones registered here, refuses new calls
// while NATS is away and redirects agents' consult calls to the node of
// the caller they serve.
func (s *Server) applyClusterSIP(c *sip.Config) {
	if s.cluster == nil {
		return
	}
	s.cluster.ApplySIP(c)
	c.RedirectInternal = s.consultRedirect
}

func (s *Server) consultRedirect(agent, number string) (netip.AddrPort, bool) {
	return s.cluster.ConsultRedirect(s.acd, agent, number)
}

// callPhones is what the call path rings agents' phones with: in a
// cluster a consult call rings the colleague's phones wherever they
// registered, as the queue does.
func (s *Server) callPhones() callflow.Phones {
	if s.cluster == nil {
		return s.sip
	}
	return s.cluster.CallPhones(s.sip)
}

// clusterReloaded tells the cluster of a reload that succeeded here
// (clusternode's Reloaded).
func (s *Server) clusterReloaded(cfg *config.Config, from string) {
	if s.cluster != nil {
		s.cluster.Reloaded(cfg, from)
	}
}

// reloadQueueing hands the queueing its new agents, queues and settings.
// On a node of a cluster, a reload that began here changes the agents
// and queues of every node at one point of the command stream
// (clusterq.Reload); one followed from another node takes only the call
// path's settings from this node's file: its router applies the agents
// and queues of the node that began the reload.
func (s *Server) reloadQueueing(next *snapshot.Snapshot, following bool) error {
	if following && s.cluster != nil && s.cluster.Queue() != nil {
		return s.cluster.Queue().FollowReload(next.Queues)
	}
	return s.acd.Reload(next.ACD, next.Queues)
}
