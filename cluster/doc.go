// Package cluster lets several hotline nodes act as one over NATS
// JetStream. It owns the connection to NATS (addresses from the
// configuration, credentials from the environment), the names of the
// cluster's buckets, stream and subjects, the leader lease and its fencing
// token, the shared key-value state (agents' registrations and presence,
// the live nodes with their configuration hashes), the ACD configurations
// that reload commands name (fetched before a router applies one), the
// command stream from the nodes to the leader and the decision subjects
// back, and the hotline_cluster_* metrics.
//
// Subpackages hold the parts that need no connection: routing (message
// formats and the Router onto the acd package), confighash (the canonical
// configuration hash) and kvstate (registrations and presence over the
// buckets this package opens). Leader runs the Router on each node and
// lets the lease holder decide. clusterq is the node's side for the call
// path: the clustered implementation of queueing.Queueing.
//
// What it must not do: decide routing itself (the pure acd package does,
// through routing.Router), touch SIP or media, import app, or log a
// credential. A message read from NATS is parsed and checked before anyone
// sees it: one that does not parse is dropped, logged and counted, never
// handed on.
//
// Safety of the lease: a node acts as leader only until its own monotonic
// deadline, which is the send time of its last confirmed lease write plus
// the lease TTL minus a margin. The server cannot expire that write before
// it was made, so the deadline always falls before anyone else can create
// the lease: a node cut off from NATS stops leading before another can
// start. Every decision carries the lease revision that began the term
// (the fencing token), and receivers refuse tokens older than the newest
// they have seen.
package cluster
