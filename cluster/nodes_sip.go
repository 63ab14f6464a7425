package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/hotline-oss/hotline/cluster/routing"
)

// ErrNoSIPAddress: the node is not live, or has not published where
// phones reach it yet.
var ErrNoSIPAddress = errors.New("cluster: node has no SIP address")

// PublishSIP adds where phones reach this node (host:port) to its entry
// among the live nodes, at once. The SIP listener binds after the node
// joins, so the address comes later than the rest of the entry.
func (m *Membership) PublishSIP(ctx context.Context, addr string) error {
	m.mu.Lock()
	m.info.SIP = addr
	m.mu.Unlock()
	return m.beat(ctx)
}

// SIPAddress is where phones reach a live node (host:port), as that node
// published it; ErrNoSIPAddress when it is not live or published none.
func (m *Membership) SIPAddress(ctx context.Context, node string) (string, error) {
	e, err := m.kv.Get(ctx, node)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", fmt.Errorf("%w: %s is not live", ErrNoSIPAddress, node)
	}
	if err != nil {
		return "", fmt.Errorf("cluster: node entry %s: %w", node, err)
	}
	var n NodeInfo
	if err := routing.DecodeStrict(e.Value(), &n); err != nil {
		return "", fmt.Errorf("cluster: node entry %s: %w", node, err)
	}
	if n.SIP == "" {
		return "", fmt.Errorf("%w: %s", ErrNoSIPAddress, node)
	}
	return n.SIP, nil
}
