// Package promtest reads one series back from a Prometheus registry, by
// name and label pairs, for the tests that check what the server exports.
//
// It is for tests only: nothing in the server imports it. It reads; it
// registers, resets and serves nothing.
package promtest
