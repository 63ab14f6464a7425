// Package testproc runs the external programs tests start (nats-server,
// Kamailio, the built server): each in a process group of its own, its
// output kept for the log of a failed test, stopped with a signal to the
// whole group; a nats-server of a test's own that the test can kill and
// start again on the same address and store; the polling wait for what
// such programs do; and Output, the buffer that keeps a program's output,
// which tests also hand to an in-process server as its log and read while
// it writes.
//
// It is for tests only: nothing in the server imports it, and it imports
// nothing of ours. It must not start a program without stopping it when
// the test ends, nor touch the machine's own services.
package testproc
