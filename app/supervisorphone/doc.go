// Package supervisorphone reaches supervisors' softphones for supervisor
// monitoring (package monitor): whether one is registered, and ringing it
// through the SIP endpoint with the agent as caller ID, its keys, end of
// playback and hang-up turned into the events a monitoring session reads.
//
// It must not decide who may monitor whom (monitor does), keep state
// beyond one ringing leg's pump, or import app.
package supervisorphone
