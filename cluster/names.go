package cluster

import (
	"github.com/hotline-oss/hotline/cluster/routing"
)

// Names are the JetStream buckets, stream and subjects of one cluster,
// all derived from its prefix so that several clusters, or tests, can
// share a NATS server without meeting.
type Names struct {
	Prefix string
}

// Lease is the bucket holding the leader lease; its TTL is the lease TTL.
func (n Names) Lease() string { return n.Prefix + "_lease" }

// Nodes is the bucket of live nodes (heartbeats, configuration hashes).
func (n Names) Nodes() string { return n.Prefix + "_nodes" }

// Registrations is the bucket of agents' registered contacts.
func (n Names) Registrations() string { return n.Prefix + "_registrations" }

// Agents is the bucket of agents' presence (logged in, paused).
func (n Names) Agents() string { return n.Prefix + "_agents" }

// CommandStream is the stream of commands from the nodes to the leader.
func (n Names) CommandStream() string { return n.Prefix + "_commands" }

// CommandSubject is where node publishes its commands.
func (n Names) CommandSubject(node string) string { return n.Prefix + ".cmd." + node }

// CommandSubjects matches every node's commands.
func (n Names) CommandSubjects() string { return n.Prefix + ".cmd.*" }

// Buckets lists every bucket, for setup and teardown.
func (n Names) Buckets() []string {
	return []string{n.Lease(), n.Nodes(), n.Registrations(), n.Agents(), n.ACDConfigs()}
}

// validToken reports whether s can be one subject token and a key.
func validToken(s string) bool { return routing.ValidToken(s) }
