// Package natstest is the test harness that the tests of cluster, of its
// election and of its clustered queueing share: the machine's NATS server
// and the skip (or, under CI, the failure) when it is not running, a
// prefix of each test's own with its buckets and stream made and removed
// through the test's own connection, the polling wait, a TCP relay that
// can stall or cut a node's link, and an election running on one node's
// connection.
//
// What it must not do: import package cluster (cluster's own tests use
// this package, and they cannot import what imports cluster), open
// buckets or streams but through the connection a test hands it, or be
// imported by anything but tests.
package natstest
