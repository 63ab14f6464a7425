// Package cluster lets several hotline nodes act as one over NATS
// JetStream. It owns the connection to NATS (addresses from the
// configuration, credentials from the environment), the names of the
// cluster's buckets, stream and subjects, the shared key-value state
// (agents' registrations and presence, the live nodes with their
// configuration hashes and SIP addresses), the ACD configurations that
// reload commands name (fetched before a router applies one), the one
// command stream that every node appends to and follows, and the
// hotline_cluster_* metrics.
//
// Subpackages hold the parts that need no connection: routing (message
// formats and the Router onto the acd package), confighash (the canonical
// configuration hash) and kvstate (registrations and presence over the
// buckets this package opens). election holds the leader lease and its
// fencing token over a Conn (through its Link interface, so neither
// package imports the other). Leader runs the Router on each node, which
// carries out the decisions addressed to it; the lease holder alone sends
// the ACD's timer ticks, keeps the shared presence and hands over a dead
// node's calls, asking the election through Election (one method,
// Leading). clusterq is the node's side for the call path: the
// clustered implementation of queueing.Queueing.
//
// What it must not do: decide routing itself (the pure acd package does,
// through routing.Router), hold the leader lease (election does), touch
// SIP or media, import app, or log a credential. A message read from NATS
// is parsed and checked before anyone sees it: one that does not parse is
// dropped, logged and counted, never handed on.
package cluster
