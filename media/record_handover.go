package media

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrRecordingStopped is returned when attaching a recording that has
// stopped.
var ErrRecordingStopped = errors.New("media: recording stopped")

// ErrRecordingAttached is returned when attaching a recording that still
// belongs to another bridge.
var ErrRecordingAttached = errors.New("media: recording attached to another bridge")

// handOverMu serialises detaching and attaching, the only places that hold
// a bridge's lock together with a recording's, so the order never matters.
var handOverMu sync.Mutex

// DetachRecording takes the bridge's recording off it without stopping
// it, and returns it (nil when the bridge records nothing). The recording
// keeps its file and its clock and writes silence until it is attached to
// another bridge with AttachRecording, or stopped. Closing the bridge
// afterwards no longer stops it. This is how a call's recording follows
// the caller from one agent to the next (a transfer), in one file.
func (h *BridgeHandle) DetachRecording() *Recording {
	handOverMu.Lock()
	defer handOverMu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	rec := h.recording
	if rec == nil {
		return nil
	}
	h.recording = nil
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.bridge == h {
		rec.untap(h)
		rec.bridge = nil
	}
	return rec
}

// AttachRecording makes a detached recording record this bridge from now
// on: the caller leg goes on the left, the agent leg on the right, on the
// recording's own clock, so the file stays continuous (the time it was
// detached is silence). The bridge must be open and not recording, and at
// least one of its legs started.
func (h *BridgeHandle) AttachRecording(rec *Recording) error {
	if rec == nil {
		return errors.New("media: attach recording: no recording")
	}
	handOverMu.Lock()
	defer handOverMu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return fmt.Errorf("media: attach recording: %w", ErrBridgeClosed)
	case h.recording != nil:
		return fmt.Errorf("media: attach recording: %w", ErrRecording)
	}
	callerPacer, agentPacer := h.caller.startedPacer(), h.agent.startedPacer()
	if callerPacer == nil && agentPacer == nil {
		return fmt.Errorf("media: attach recording: %w", ErrNotStarted)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	switch {
	case rec.stopped:
		return fmt.Errorf("media: attach recording: %w", ErrRecordingStopped)
	case rec.bridge != nil:
		return fmt.Errorf("media: attach recording: %w", ErrRecordingAttached)
	}
	// New taps rather than changed ones: a read loop may still hold the
	// old tap, whose offset belongs to the previous leg's pacer.
	rec.taps = rec.newTaps(callerPacer, agentPacer)
	rec.bridge = h
	h.recording = rec
	h.caller.tap.Store(rec.taps[channelCaller])
	h.agent.tap.Store(rec.taps[channelAgent])
	return nil
}

// newTaps makes taps for legs on the given pacers (nil: not started),
// each with its offset from its pacer's clock to the recording's.
func (r *Recording) newTaps(callerPacer, agentPacer *Pacer) [2]*recordTap {
	offset := func(p *Pacer) time.Duration {
		if p == nil {
			return 0
		}
		return p.epoch.Sub(r.epoch)
	}
	return [2]*recordTap{
		{rec: r, channel: channelCaller, offset: offset(callerPacer)},
		{rec: r, channel: channelAgent, offset: offset(agentPacer)},
	}
}

// untap stops h's legs feeding the recording; r.mu is held. A leg that
// has meanwhile been given another recording keeps it.
func (r *Recording) untap(h *BridgeHandle) {
	h.caller.tap.CompareAndSwap(r.taps[channelCaller], nil)
	h.agent.tap.CompareAndSwap(r.taps[channelAgent], nil)
}
