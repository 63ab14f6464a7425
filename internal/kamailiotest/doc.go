// Package kamailiotest runs Kamailio for tests: a Kamailio of the test's
// own (its process group stopped when the test ends), and the shipped
// dispatcher front of deploy/kamailio around it (the list of nodes, the
// command line that sets the front's listen address, control socket and
// probe timing, and each node's state as kamcmd reports it).
//
// It is for tests only: nothing in the server imports it, and it imports
// only internal/testproc. It does not find the kamailio binary (each
// test package decides whether a missing one skips or fails), choose
// addresses, or send SIP.
package kamailiotest
