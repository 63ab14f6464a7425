// Package clusterconf is the cluster section of the configuration: this
// node's id, the NATS servers and their TLS files, the prefix of the
// cluster's buckets and stream, the leader's lease, replicas and hot
// standby, their defaults and their checks; and the environment variables
// that carry the NATS credentials, which the file never holds.
//
// It owns what those keys mean and when they are wrong, as "key: reason"
// relative to cluster. Package config reads the file and places each
// reason at its file and line.
//
// It must not connect to NATS, or import config.
package clusterconf
