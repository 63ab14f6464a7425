// Package sipregister keeps the test phone's registration: one Call-ID
// and a rising CSeq for every REGISTER (RFC 3261 section 10.2), digest
// challenges answered through sipdigest (a stale nonce once more), a 423's
// Min-Expires followed when asked, the bindings of the registrar's answer
// read back, and the credentials an unregistration reuses.
//
// It builds and reads REGISTERs only: it sends them through the function
// it is given, so it opens no socket and knows no transport. It must not
// import testphone (which keeps its names as aliases and turns a final
// non-2xx into its StatusError), nor the server's registrar, so that it
// stays an independent check of it. It is for tests only.
package sipregister
