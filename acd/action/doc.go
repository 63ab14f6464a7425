// Package action is the vocabulary of what the ACD asks its runtime to do:
// ring agents, stop ringing them, connect, announce, overflow, let a caller
// leave, start a wrap-up. It also names why an offer failed and how a call
// was transferred, the words the runtime reports back with.
//
// It owns only these plain values. It must not decide anything, keep
// state, read the clock or import anything of this repository: the ACD
// (package acd) returns the actions, the runtime carries them out, and the
// cluster sends them between nodes.
package action
