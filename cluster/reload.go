package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/hotline-oss/hotline/cluster/confighash"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// A configuration reload is cluster-wide: the node that reloads (SIGHUP
// or the API) tells the others, each reloads its own copy of the file,
// and each compares what it now runs with what the first one runs. Every
// node runs the same file, so they converge; a node whose file was not
// updated keeps its configuration, says so and shows it in
// hotline_cluster_config_differs until its file matches (docs/cluster.md).

// ReloadSubject is where nodes announce their reloads.
func (n Names) ReloadSubject() string { return n.Prefix + ".reload" }

// reloadNotice is a node's announcement that it reloaded: the section
// hashes of the configuration it runs now.
type reloadNotice struct {
	V        int               `json:"v"`
	Node     string            `json:"node"`
	Sections map[string]string `json:"sections"`
}

// AnnounceReload tells the other nodes that this one reloaded and now
// runs the configuration with these section hashes.
func (c *Conn) AnnounceReload(sections map[string]string) error {
	data, err := json.Marshal(reloadNotice{V: 1, Node: c.Node, Sections: sections})
	if err != nil {
		return fmt.Errorf("cluster: reload notice: %w", err)
	}
	if err := c.NC.Publish(c.Names.ReloadSubject(), data); err != nil {
		return fmt.Errorf("cluster: announce reload: %w", err)
	}
	if err := c.NC.Flush(); err != nil {
		return fmt.Errorf("cluster: announce reload: %w", err)
	}
	return nil
}

// WatchReloads calls handle for every other node's reload announcement,
// on the NATS delivery goroutine: handle must not block. A notice that
// does not parse is dropped, logged and counted, never acted on.
func (c *Conn) WatchReloads(handle func(from string, sections map[string]string)) (stop func() error, err error) {
	sub, err := c.NC.Subscribe(c.Names.ReloadSubject(), func(m *nats.Msg) {
		var n reloadNotice
		if err := routing.DecodeStrict(m.Data, &n); err != nil {
			c.dropped(SubjectReload, m.Subject, err)
			return
		}
		if err := n.check(); err != nil {
			c.dropped(SubjectReload, m.Subject, err)
			return
		}
		if n.Node != c.Node {
			handle(n.Node, n.Sections)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: watch reloads: %w", err)
	}
	// The server knows the subscription once the flush returns: a reload
	// announced after WatchReloads is not missed.
	if err := c.NC.Flush(); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("cluster: watch reloads: %w", err)
	}
	return sub.Unsubscribe, nil
}

func (n reloadNotice) check() error {
	switch {
	case n.V != 1:
		return fmt.Errorf("reload notice version %d", n.V)
	case !validToken(n.Node):
		return errors.New("reload notice without a valid node")
	case len(n.Sections) == 0:
		return errors.New("reload notice without sections")
	}
	return nil
}

// Republish replaces the configuration this node publishes among the
// live nodes after a reload, at once: a node that starts later is
// checked against what the cluster runs now.
func (m *Membership) Republish(ctx context.Context, sections map[string]string) error {
	m.mu.Lock()
	m.info.Sections = sections
	m.info.ConfigHash = confighash.Hash(sections)
	m.mu.Unlock()
	return m.beat(ctx)
}

// ConfigDiffers sets hotline_cluster_config_differs: 1 while this node
// runs another configuration than the node whose reload it followed last.
func (c *Conn) ConfigDiffers(differs bool) { c.metrics.configDiffers(differs) }
