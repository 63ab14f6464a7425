// Package routing is the pure side of the cluster: the format of the
// commands the nodes append to the cluster's stream (with their checks:
// what does not parse is refused whole), and the Router that every node
// applies that stream with, in its order, to its own copy of the ACD,
// addressing the ACD's actions as decisions to the nodes that carry them
// out. A reload command names its ACD configuration by hash
// (EncodeConfig); the caller fetches it and hands it in (SetConfigs).
//
// What it must not do: I/O, goroutines, reading a clock (the ACD runs on
// the time each command carries), or logging. Package cluster moves these
// messages over NATS; this package decides what they mean.
package routing
