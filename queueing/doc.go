// Package queueing is the seam between a call and the ACD: callers join
// and leave, send typed commands (enqueue, abandon, hold, transfer,
// callbacks, agent log-in and breaks), take the agent leg the ACD
// connected them to, and read snapshots of queues and agents.
//
// Queueing is the interface; Runtime is the standalone implementation,
// which owns the pure acd.ACD, serialises every command into it under its
// one lock, rings agents through a Dialer, delivers the ACD's actions to
// each caller's mailbox and keeps the ACD's one timer armed. A clustered
// implementation sends the same commands to a leader and satisfies the same
// interface: commands are plain data for that reason. Both keep their
// callers' mailboxes, the agents ringing for each call and the answered
// agent legs in a Calls, under their own lock.
//
// It must not: import sip, media, ivr or any feature package (agent legs
// and dialling come in through small interfaces); do I/O while holding its
// lock (the dialer runs on its own goroutine; event observers must not
// block); let anything outside this package take its lock or hold the raw
// ACD.
package queueing
