package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/callflow"
	"github.com/hotline-oss/hotline/cluster"
	"github.com/hotline-oss/hotline/cluster/clusterq"
	"github.com/hotline-oss/hotline/cluster/confighash"
	"github.com/hotline-oss/hotline/cluster/election"
	clusterrouting "github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/guard"
	"github.com/hotline-oss/hotline/sip/registrar"
)

// clusterNode is this server's part in a cluster (cluster.enabled): its
// NATS connection, its entry among the live nodes, the election, the
// routing that follows the command stream and leads while it holds the
// lease, and the shared registrations of agents' phones.
type clusterNode struct {
	conn   *cluster.Conn
	member *cluster.Membership
	el     *election.Elector
	leader *cluster.Leader
	queue  *clusterq.Queueing[*sip.AgentLeg] // nil on a node without queues
	regs   *cluster.Registrations
	ctx    context.Context // ends when the node leaves
	stop   context.CancelFunc
	done   sync.WaitGroup
	sync   *bindingSync
	// stopReloads ends following the other nodes' reloads (cluster_reload.go).
	stopReloads func() error
	// startSeq is this node's first command: once its router has applied
	// it, it has replayed the stream as it stood at start.
	startSeq uint64
}

// startCluster connects to NATS, checks this node's configuration
// against the live nodes', and builds the clustered queueing in place of
// the standalone runtime. SIP is built after it: the dialer and the
// shared registrations read s.sip when they are used.
func (s *Server) startCluster() error {
	cfg := s.cfg
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Cluster.ConnectTimeout+10*time.Second)
	defer cancel()
	m, err := cluster.NewMetrics(s.metrics.Registry())
	if err != nil {
		return err
	}
	settings := cluster.SettingsFrom(cfg, s.log)
	settings.Metrics = m
	conn, err := cluster.Connect(ctx, settings)
	if err != nil {
		return err
	}
	n := &clusterNode{conn: conn}
	n.ctx, n.stop = context.WithCancel(context.Background())
	if err := n.join(ctx, s); err != nil {
		n.stop()
		conn.Close()
		return err
	}
	s.cluster = n
	return nil
}

func (n *clusterNode) join(ctx context.Context, s *Server) error {
	if err := n.conn.Ensure(ctx); err != nil {
		return err
	}
	sections, err := confighash.Sections(s.cfg)
	if err != nil {
		return err
	}
	if n.member, err = n.conn.Join(ctx, sections); err != nil {
		return err
	}
	fail := func(err error) error { n.member.Leave(context.Background()); return err }
	if n.el, err = election.New(ctx, n.conn); err != nil {
		return fail(err)
	}
	if n.regs, err = n.conn.Registrations(ctx); err != nil {
		return fail(err)
	}
	// Rings look the agents' phones up in a copy kept by a watch: no
	// round trip to NATS per ring.
	if err := n.regs.Follow(n.ctx, 5*time.Second); err != nil {
		return fail(err)
	}
	n.sync = newBindingSync(n.regs, s)
	if len(s.compiled.acd.Queues) == 0 {
		return nil
	}
	if n.leader, err = cluster.NewLeader(n.conn, n.el, s.compiled.acd); err != nil {
		return fail(err)
	}
	// Every node follows the stream: its views are the cluster's, and it
	// reads the outcome of its own commands there.
	n.leader.OnLost(n.handOverLost(s)) // cluster_lost.go
	n.followClusterAgents(s)           // cluster_adherence.go
	q, err := clusterq.New(s.compiled.queues, clusterq.Deps[*sip.AgentLeg]{
		Conn: n.conn, Leader: n.leader,
		Dialer: clusterDialer{s, n.regs}, Phones: clusterPhones{s, n.regs, n.conn.Node},
		Log: s.log, Publish: s.bus.Publish,
		OnInternalError: func() { s.internalErrors.inc("acd") },
	})
	if err != nil {
		return fail(err)
	}
	// Calls the ACD still holds under this node's id are a previous run's
	// (killed and restarted before the leader saw it gone): their media
	// died with it, so they end now rather than wait for nobody.
	if n.startSeq, err = n.conn.SendCommand(ctx, clusterrouting.Command{Kind: clusterrouting.CmdNodeGone, Gone: n.conn.Node}); err != nil {
		q.Close()
		return fail(err)
	}
	s.acd, n.queue = q, q
	return nil
}

// run starts the election and the routing; they stop on close.
func (n *clusterNode) run() {
	ctx := n.ctx
	n.done.Add(1)
	go func() { defer n.done.Done(); _ = n.el.Run(ctx) }()
	if n.leader != nil {
		n.done.Add(1)
		go func() { defer n.done.Done(); _ = n.leader.Run(ctx) }()
	}
}

// admit refuses new calls while NATS is away: the node would route on
// stale state. The front (Kamailio) moves the call to another node on
// the 503.
func (n *clusterNode) admit() string {
	if !n.conn.Up() {
		return guard.BlockedClusterDown
	}
	return ""
}

// close leaves the cluster: the lease is given up (another node takes
// over at once), the node's entry removed, the connection closed.
func (n *clusterNode) close() {
	if n.stopReloads != nil {
		_ = n.stopReloads()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if n.leader != nil && n.conn.Up() {
		// The calls still up here end with the process: the ACD hears it
		// now rather than when the leader sees this node gone (which it
		// still does, should this command not get through).
		_, _ = n.conn.SendCommand(ctx, clusterrouting.Command{Kind: clusterrouting.CmdNodeGone, Gone: n.conn.Node})
	}
	n.stop()
	n.done.Wait()
	n.sync.close()
	n.member.Leave(ctx)
	n.conn.Close()
}

// clusterDialer rings an agent's phones wherever they registered: the
// INVITE leaves from this node, whose endpoint keeps the call's media.
type clusterDialer struct {
	s    *Server
	regs *cluster.Registrations
}

func (d clusterDialer) DialAgent(ctx context.Context, agent, caller string, timeout time.Duration) (*sip.AgentLeg, error) {
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
	return d.s.sip.DialBindings(ctx, agent, caller, bindings, timeout)
}

func (d clusterDialer) Failure(err error) acd.OfferFailure { return agentDialer{d.s}.Failure(err) }

// clusterPhones tells whether an agent has a phone registered through
// any node: this node's own registrar answers for its phones (the shared
// copy is written in the background), the shared registrations for the
// other nodes'.
type clusterPhones struct {
	s    *Server
	regs *cluster.Registrations
	node string
}

func (p clusterPhones) Registered(agent string) bool {
	if p.s.sip != nil && len(p.s.sip.Bindings(agent)) > 0 {
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

// applyClusterSIP shares the phones registered here and refuses new
// calls while NATS is away.
func (s *Server) applyClusterSIP(c *sip.Config) {
	if s.cluster == nil {
		return
	}
	n := s.cluster
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

// callPhones is what the call path rings agents' phones with: in a
// cluster a consult call rings the colleague's phones wherever they
// registered, as the queue does.
func (s *Server) callPhones() callflow.Phones {
	if s.cluster == nil {
		return s.sip
	}
	return clusterCallPhones{Endpoint: s.sip, dial: clusterDialer{s, s.cluster.regs}}
}

// clusterCallPhones is the endpoint with the cluster's agent dialling.
type clusterCallPhones struct {
	*sip.Endpoint
	dial clusterDialer
}

func (p clusterCallPhones) DialAgent(ctx context.Context, agent, caller string, timeout time.Duration) (*sip.AgentLeg, error) {
	return p.dial.DialAgent(ctx, agent, caller, timeout)
}
