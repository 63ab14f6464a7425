// Package ivr holds the IVR flow model, read from YAML, and a pure
// interpreter that turns call events (keys, playback done, timers, look-up
// results) into actions (play, collect, look up, record, queue, hang up).
//
// The interpreter (Session) owns no sockets, goroutines or clocks: time
// comes from an injected Clock and timers from an injected Timers. Run
// adapts it to a live call leg through the Leg interface. The package must
// not import sip, media or acd, nor do I/O: prompts are named, not read;
// look-ups, recordings and fault reports are actions handed to the leg
// (ServiceLeg), whose results come back as events; a queue node ends the
// flow with the queue's name and leaves queueing to others.
package ivr
