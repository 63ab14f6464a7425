package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/hotline-oss/hotline/cluster/confighash"
	"github.com/hotline-oss/hotline/cluster/kvstate"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// ErrConfigDiffers is returned by Join when a live node runs another
// configuration; the error (a *ConfigMismatch) names the sections.
var ErrConfigDiffers = errors.New("cluster: configuration differs from the cluster's")

// ErrNodeIDInUse is returned by Join when another live process publishes
// under this node's id.
var ErrNodeIDInUse = errors.New("cluster: node id in use by another live process")

// ConfigMismatch says which node runs another configuration, and where.
type ConfigMismatch struct {
	Node     string
	Sections []string
}

func (e *ConfigMismatch) Error() string {
	return fmt.Sprintf("cluster: this node's configuration differs from live node %s's in: %s; every node must run the same file (only node-local keys may differ: %s)",
		e.Node, strings.Join(e.Sections, ", "), strings.Join(confighash.NodeLocalKeys, ", "))
}

func (e *ConfigMismatch) Unwrap() error { return ErrConfigDiffers }

// NodeInfo is what a node publishes about itself while it lives.
type NodeInfo struct {
	Node       string            `json:"node"`
	Instance   string            `json:"instance"` // changes at every start
	Started    time.Time         `json:"started"`
	ConfigHash string            `json:"config_hash"`
	Sections   map[string]string `json:"sections"`
}

// Membership is this node's entry among the live nodes, refreshed until
// Leave.
type Membership struct {
	conn *Conn
	kv   jetstream.KeyValue
	mu   sync.Mutex // guards info: a reload republishes it (reload.go)
	info NodeInfo

	stop context.CancelFunc
	done chan struct{}
	once sync.Once
}

// Join checks this node's configuration against every live node's and,
// if they all agree, publishes this node and keeps it alive (a heartbeat
// every lease TTL; gone three TTLs after the last). A node that differs
// refuses to join with a *ConfigMismatch. The check runs again after
// publishing, so two nodes starting together with different files both
// refuse rather than both join.
func (c *Conn) Join(ctx context.Context, sections map[string]string) (*Membership, error) {
	kv, err := c.JS.KeyValue(ctx, c.Names.Nodes())
	if err != nil {
		return nil, fmt.Errorf("cluster: nodes bucket: %w", err)
	}
	m := &Membership{conn: c, kv: kv, done: make(chan struct{}), info: NodeInfo{
		Node: c.Node, Instance: nuid.Next(), Started: time.Now().UTC(),
		ConfigHash: confighash.Hash(sections), Sections: sections,
	}}
	if err := m.checkOwnID(ctx); err != nil {
		return nil, err
	}
	if err := m.compare(ctx); err != nil {
		return nil, err
	}
	if err := m.beat(ctx); err != nil {
		return nil, err
	}
	if err := m.compare(ctx); err != nil {
		_ = kv.Delete(context.WithoutCancel(ctx), c.Node)
		return nil, err
	}
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.stop = cancel
	go m.heartbeat(hctx)
	c.log.Info("cluster: joined", "config_hash", m.info.ConfigHash[:12])
	return m, nil
}

func (m *Membership) compare(ctx context.Context) error {
	live, err := m.Live(ctx)
	if err != nil {
		return err
	}
	for _, n := range live {
		if n.Node == m.info.Node {
			continue
		}
		if d := confighash.Diff(m.info.Sections, n.Sections); len(d) > 0 {
			return &ConfigMismatch{Node: n.Node, Sections: d}
		}
	}
	return nil
}

// checkOwnID refuses to join while another process heartbeats under this
// node id. An entry left by this node's previous run (killed, restarted
// at once) goes stale after one missed heartbeat: Join waits for that
// once rather than refusing a quick restart.
func (m *Membership) checkOwnID(ctx context.Context) error {
	ttl := m.conn.settings.LeaseTTL
	for attempt := 0; ; attempt++ {
		e, err := m.kv.Get(ctx, m.info.Node)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cluster: node entry: %w", err)
		}
		var n NodeInfo
		if routing.DecodeStrict(e.Value(), &n) != nil || n.Instance == m.info.Instance {
			return nil
		}
		age := time.Since(e.Created())
		if age > ttl*3/2 {
			return nil
		}
		if attempt > 0 {
			return fmt.Errorf("%w: %s heartbeat %s ago (started %s); give each node its own cluster.node_id",
				ErrNodeIDInUse, m.info.Node, age.Round(time.Millisecond), n.Started.Format(time.RFC3339))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2*ttl - age):
		}
	}
}

func (m *Membership) beat(ctx context.Context) error {
	m.mu.Lock()
	data, err := json.Marshal(m.info)
	m.mu.Unlock()
	if err != nil {
		return fmt.Errorf("cluster: node info: %w", err)
	}
	if _, err := m.kv.Put(ctx, m.info.Node, data); err != nil {
		return fmt.Errorf("cluster: publish node %s: %w", m.info.Node, err)
	}
	return nil
}

func (m *Membership) heartbeat(ctx context.Context) {
	defer close(m.done)
	t := time.NewTicker(m.conn.settings.LeaseTTL)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			bctx, cancel := context.WithTimeout(ctx, m.conn.settings.LeaseTTL)
			if err := m.beat(bctx); err != nil && m.conn.Up() {
				m.conn.log.Warn("cluster: heartbeat failed", "err", err)
			}
			cancel()
		}
	}
}

// Live lists the nodes whose heartbeat is fresh, this one included.
func (m *Membership) Live(ctx context.Context) ([]NodeInfo, error) {
	entries, err := kvstate.Snapshot(ctx, m.kv, jetstream.AllKeys)
	if err != nil {
		return nil, fmt.Errorf("cluster: live nodes: %w", err)
	}
	var out []NodeInfo
	for _, e := range entries {
		var n NodeInfo
		if err := routing.DecodeStrict(e.Value(), &n); err != nil || n.Node != e.Key() || len(n.Sections) == 0 {
			m.conn.dropped(SubjectNodes, e.Key(), fmt.Errorf("bad node entry: %v", err))
			continue
		}
		out = append(out, n)
	}
	return out, nil
}

// Leave stops the heartbeat and removes this node at once, so the others
// see it gone without waiting for its entry to expire.
func (m *Membership) Leave(ctx context.Context) {
	m.once.Do(func() {
		m.stop()
		<-m.done
		if err := m.kv.Delete(ctx, m.info.Node); err != nil {
			m.conn.log.Info("cluster: node entry left to expire", "err", err)
		}
	})
}
