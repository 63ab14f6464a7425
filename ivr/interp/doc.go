// Package interp runs an IVR flow: Session is a pure interpreter that
// turns call events (keys, playback done, timers, look-up, recording and
// fault-report results) into actions (play, collect, look up, record,
// queue, hang up), and Run adapts it to a live call leg through the Leg
// interface.
//
// Session owns no sockets, goroutines or clocks: time comes from an
// injected Clock and timers from injected Timers. The package must not
// import sip, media or acd, nor do I/O: prompts are named, not read;
// look-ups, recordings and fault reports are actions handed to the leg
// (ServiceLeg), whose results come back as events; a queue node ends the
// flow with the queue's name and leaves queueing to others.
package interp
