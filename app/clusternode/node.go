package clusternode

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/cluster"
	"github.com/hotline-oss/hotline/cluster/clusterq"
	"github.com/hotline-oss/hotline/cluster/confighash"
	"github.com/hotline-oss/hotline/cluster/election"
	clusterrouting "github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/guard"
	"github.com/hotline-oss/hotline/store/cdr"
)

// Deps are what a node needs from the server. Config, ACD, Queues,
// Registry, Log, Clock, SIP, Failure and Publish are required; the rest
// may be left nil.
type Deps struct {
	Config *config.Config
	// ACD and Queues are the compiled agents, queues and their settings.
	ACD    acd.Config
	Queues map[string]queueing.Settings
	// Registry takes the cluster's series.
	Registry prometheus.Registerer
	Log      *slog.Logger
	// Clock is the server's clock: the registrar's expiries are on it.
	Clock func() time.Time
	// SIP is the endpoint, read when used: it is built after the node.
	SIP func() *sip.Endpoint
	// Failure tells the ACD why ringing an agent failed.
	Failure func(error) acd.OfferFailure
	// Publish announces the ACD's events that belong to this node.
	Publish func(call.Event)
	// OnInternalError counts a command of this node that broke an
	// invariant of the ACD.
	OnInternalError func()
	// Workforce takes the whole cluster's agent events (adherence).
	Workforce Adherence
	// RecordLost writes the record of a call lost with its node unless
	// the call has one, and tells whether there was a store to write it.
	RecordLost func(cdr.CallRecord) (written bool)
	// AdoptCallbacks takes over the callbacks a lost node held (virtual
	// hold starts after the node: the func looks it up when called).
	AdoptCallbacks func(calls []string)
}

// Adherence is workforce's live adherence as the node feeds it.
type Adherence interface {
	HandleEvent(call.Event)
	SetRaisesAlerts(raise func() bool)
}

// Node is this server's part in a cluster. Its methods are safe for the
// server's goroutines once Start returned.
type Node struct {
	deps   Deps
	log    *slog.Logger
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
	// stopReloads ends following the other nodes' reloads (reload.go).
	stopReloads func() error
	// startSeq is this node's first command: once its router has applied
	// it, it has replayed the stream as it stood at start.
	startSeq uint64
}

// Start connects to NATS, checks this node's configuration against the
// live nodes', and builds the clustered queueing (Queue) that the
// server runs in place of the standalone runtime.
func Start(d Deps) (*Node, error) {
	cfg := d.Config
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Cluster.ConnectTimeout+10*time.Second)
	defer cancel()
	m, err := cluster.NewMetrics(d.Registry)
	if err != nil {
		return nil, err
	}
	settings := cluster.SettingsFrom(cfg, d.Log)
	settings.Metrics = m
	conn, err := cluster.Connect(ctx, settings)
	if err != nil {
		return nil, err
	}
	n := &Node{deps: d, log: d.Log, conn: conn}
	n.ctx, n.stop = context.WithCancel(context.Background())
	if err := n.join(ctx); err != nil {
		n.stop()
		conn.Close()
		return nil, err
	}
	return n, nil
}

func (n *Node) join(ctx context.Context) error {
	if err := n.conn.Ensure(ctx); err != nil {
		return err
	}
	sections, err := confighash.Sections(n.deps.Config)
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
	n.sync = newBindingSync(n.regs, n.deps.SIP, n.deps.Clock, n.log)
	if len(n.deps.ACD.Queues) == 0 {
		return nil
	}
	if n.leader, err = cluster.NewLeader(n.conn, n.el, n.deps.ACD); err != nil {
		return fail(err)
	}
	// Every node follows the stream: its views are the cluster's, and it
	// reads the outcome of its own commands there.
	n.leader.OnLost(n.handOverLost) // lost.go
	n.followClusterAgents()         // lost.go
	q, err := clusterq.New(n.deps.Queues, clusterq.Deps[*sip.AgentLeg]{
		Conn: n.conn, Leader: n.leader,
		Dialer: dialer{n.deps, n.regs}, Phones: phones{n.deps.SIP, n.regs, n.conn.Node},
		Log: n.log, Publish: n.deps.Publish,
		OnInternalError: n.deps.OnInternalError,
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
	n.queue = q
	return nil
}

// Run starts the election and the routing; they stop on Close.
func (n *Node) Run() {
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
func (n *Node) admit() string {
	if !n.conn.Up() {
		return guard.BlockedClusterDown
	}
	return ""
}

// Close leaves the cluster: the lease is given up (another node takes
// over at once), the node's entry removed, the connection closed.
func (n *Node) Close() {
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

// Queue is the clustered queueing; nil on a node without queues.
func (n *Node) Queue() *clusterq.Queueing[*sip.AgentLeg] { return n.queue }

// Up tells whether the node is connected to NATS.
func (n *Node) Up() bool { return n.conn.Up() }

// Leading tells whether this node holds the lease now.
func (n *Node) Leading() bool { _, ok := n.el.Leading(); return ok }

// Conn is the node's NATS connection (tests cut it).
func (n *Node) Conn() *cluster.Conn { return n.conn }

// Leader is the node's routing; nil on a node without queues.
func (n *Node) Leader() *cluster.Leader { return n.leader }

// StartSeq is the node's first command: its router has replayed the
// stream as it stood at start once it applied it.
func (n *Node) StartSeq() uint64 { return n.startSeq }
