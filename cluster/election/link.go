package election

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// leaseKey is the one key of the lease bucket.
const leaseKey = "leader"

// Link is what the election needs of a node's connection to the cluster;
// *cluster.Conn provides it. It is an interface so that this package
// does not import cluster, whose Leader (and its tests) use an election.
type Link interface {
	// LeaseBucket opens the lease bucket (made by cluster's Ensure).
	LeaseBucket(ctx context.Context) (jetstream.KeyValue, error)
	// NodeID is the node's id, written into the lease it holds.
	NodeID() string
	// LeaseTTL is the lease's time to live in the bucket.
	LeaseTTL() time.Duration
	Log() *slog.Logger
	// Up reports whether NATS is connected now.
	Up() bool
	// WatchLink adds functions run (briefly, on the NATS client's
	// goroutine) when the connection drops and when it comes back.
	WatchLink(down, up func())
	// CountLeadership, CountTerm and CountBadLease keep the cluster's
	// series: whether this node leads (and its term on taking the
	// lease), the newest term seen, a lease value that did not parse.
	CountLeadership(leading bool, term uint64)
	CountTerm(term uint64)
	CountBadLease()
}
