// Package clusternode is this server's part in a cluster
// (cluster.enabled): the NATS connection, its entry among the live nodes,
// the election, the routing that follows the command stream and leads
// while it holds the lease, and the clustered queueing built on them. It
// also owns what the node adds to the rest of the server: the agents'
// phones shared through NATS (ringing them wherever they registered),
// the 503 refusal of new calls while NATS is away, following the other
// nodes' reloads, the records of calls lost with a node and the
// callbacks taken over, the whole cluster's adherence feed and the
// redirect of consult calls to the node holding the caller.
//
// The server hands it its parts through Deps (funcs read when used: the
// SIP endpoint is built after the node) and asks it through the Node's
// methods; app's cluster.go is the glue.
//
// What it must not do: import app; hold call logic or decide who gets a
// call (the leader's router does, in cluster/routing); take another
// part's lock; build or start the server's other parts.
package clusternode
