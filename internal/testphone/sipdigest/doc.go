// Package sipdigest answers the digest challenges of a 401 or 407 for the
// test phone: it picks the challenge by algorithm (SHA-256 before MD5,
// RFC 8760, or the one insisted on) and writes the Authorization header.
//
// It must not import testphone, send requests or keep state (the phone
// retries, counts rounds and keeps the credentials); nor use the server's
// digest checks in sip/guard, so that it stays an independent check of
// them. It is for tests only.
package sipdigest
