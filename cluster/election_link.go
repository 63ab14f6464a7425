package cluster

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// What follows is the connection as the election (cluster/election) sees
// it: that package takes a Link interface rather than importing cluster,
// so that the Leader's tests here can run a real election.

// LeaseBucket opens the lease bucket; Ensure must have made it.
func (c *Conn) LeaseBucket(ctx context.Context) (jetstream.KeyValue, error) {
	return c.JS.KeyValue(ctx, c.Names.Lease())
}

// NodeID is the node's id (Node).
func (c *Conn) NodeID() string { return c.Node }

// LeaseTTL is the lease's time to live from the settings.
func (c *Conn) LeaseTTL() time.Duration { return c.settings.LeaseTTL }

// Log is the connection's logger.
func (c *Conn) Log() *slog.Logger { return c.log }

// CountLeadership sets the leader gauge (and, on taking the lease, counts
// the takeover and sets the term).
func (c *Conn) CountLeadership(leading bool, term uint64) { c.metrics.leading(leading, term) }

// CountTerm sets the term gauge to a newer term seen on the lease.
func (c *Conn) CountTerm(term uint64) { c.metrics.sawTerm(term) }

// CountBadLease counts a lease value that did not parse.
func (c *Conn) CountBadLease() { c.metrics.badMessage(SubjectLease) }
