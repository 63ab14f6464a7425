// Package routing is the pure side of the cluster: the formats of the
// commands nodes send to the leader and of the decisions it sends back
// (with their checks: what does not parse is refused whole), and the
// Router that applies commands to the one ACD and addresses its actions
// to the nodes. A reload command names its ACD configuration by hash
// (EncodeConfig); the caller fetches it and hands it in (SetConfigs).
//
// What it must not do: I/O, goroutines, reading a clock (the ACD runs on
// the time each command carries), or logging. Package cluster moves these
// messages over NATS; this package decides what they mean.
package routing
