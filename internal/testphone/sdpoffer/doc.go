// Package sdpoffer writes the test phone's SDP offers and answers and reads
// the peer's: the codecs the phone knows by name, telephone-event, the
// direction attributes and the a=crypto line.
//
// It must not import testphone or rtpaudio, open sockets or keep state: it
// turns parameters into SDP and SDP into a Remote, nothing more. It is for
// tests only.
package sdpoffer
