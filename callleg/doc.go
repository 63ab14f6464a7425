// Package callleg adapts a SIP call and its media stream to what the IVR
// and the call's features read and do: one channel of events (keys from
// RTP or SIP INFO, end of playback, hang-up) and prompt playback by name.
//
// It owns the event pump of one call and nothing else. It must not decide
// anything about the call (the IVR, the call path and the features do),
// and it must not read the wall clock for anything but the bounds of a
// wait for keys.
package callleg
