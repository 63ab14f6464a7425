// Package siptest builds the SIP messages that the tests of several sip
// packages hand to their code without a network: an INVITE as a carrier's
// trunk sends it, from a given source address with the headers a test
// names.
//
// It is for tests only: nothing in the server imports it, and it must not
// import the sip packages it helps to test.
package siptest
