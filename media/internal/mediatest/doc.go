// Package mediatest holds the test set-ups that the tests of media and of
// its sub-packages share: tones and coded frames, the three parties'
// tones of a supervised call, RFC 4733 key presses, and free port ranges
// on loopback.
//
// It is for tests only: nothing in the server imports it. It must not
// import media or a sub-package other than the leaf rtpcodec, so that any
// media package's internal tests can use it.
package mediatest
