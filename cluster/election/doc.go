// Package election is the cluster's leader election: the leader lease in
// its NATS key-value bucket, taken with create-with-TTL and renewed with
// revision checks (the lease bucket protocol), the Elector that holds it
// for one node and reports each change of leadership, and the Fence that
// remembers the newest term seen. It reaches the node's connection only
// through Link, which *cluster.Conn provides.
//
// What it must not do: import package cluster (the cluster's Leader
// reaches an election through a one-method interface, Leading, and
// cluster's tests run a real election), decide or route anything, or
// act on a lease value that does not parse (it is dropped, logged and
// counted).
//
// Safety of the lease: a node acts as leader only until its own monotonic
// deadline, which is the send time of its last confirmed lease write plus
// the lease TTL minus a margin. The server cannot expire that write before
// it was made, so the deadline always falls before anyone else can create
// the lease: a node cut off from NATS stops leading before another can
// start. Every decision carries the lease revision that began the term
// (the fencing token), and receivers refuse tokens older than the newest
// they have seen.
package election
