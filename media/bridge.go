package media

import (
	"errors"
	"fmt"
	"sync"

	"github.com/hotline-oss/hotline/media/playout"
)

// Bridge errors.
var (
	ErrBridged      = errors.New("media: stream already bridged")
	ErrBridgeClosed = errors.New("media: bridge closed")
)

// bridgeMu serialises bridging and unbridging. They happen a few times per
// call, so one lock for all streams costs nothing and spares a lock order
// between two streams' locks.
var bridgeMu sync.Mutex

// BridgeHandle connects two streams so that each hears the other. Audio
// received on one leg is relayed, converted between µ-law and A-law when
// the legs differ, into the other leg's relay FIFO, and the pacer sends it
// from there on that leg's own schedule, sequence numbers, timestamps and
// SSRC. Whatever ptime a peer sends, each leg sends 20 ms frames (see
// mix.Relay for buffering, underflow and ptime handling).
//
// RFC 4733 digits are never relayed: they stay on each stream's Digits()
// for the runtime to act on. Play or PlayLoop on either leg overrides what
// that leg hears from the bridge until the playback ends or is stopped.
//
// All methods are safe for concurrent use. A leg that is closed while
// bridged simply stops contributing audio; Close the bridge when either
// leg hangs up.
type BridgeHandle struct {
	caller, agent *Stream

	mu        sync.Mutex // guards the fields below
	closed    bool
	held      bool
	holdMusic bool // Hold started a PlayLoop on the caller leg
	recording *Recording
	monitor   *Monitor // a supervisor's mix (mixer_monitor.go); nil unless monitored
}

// Bridge connects caller and agent. The order matters only for recording
// (caller left, agent right) and for Hold, which is heard by the caller.
// Neither stream may already be in a bridge.
func Bridge(caller, agent *Stream) (*BridgeHandle, error) {
	if caller == agent {
		return nil, fmt.Errorf("%w: a stream cannot be bridged to itself", ErrBridged)
	}
	bridgeMu.Lock()
	defer bridgeMu.Unlock()
	if caller.bridge != nil || agent.bridge != nil {
		return nil, ErrBridged
	}
	h := &BridgeHandle{caller: caller, agent: agent}
	caller.bridge, agent.bridge = h, h
	caller.relay.SetActive(true)
	agent.relay.SetActive(true)
	caller.forward.Store(agent)
	agent.forward.Store(caller)
	return h, nil
}

// Caller returns the leg given first to Bridge.
func (h *BridgeHandle) Caller() *Stream { return h.caller }

// Agent returns the leg given second to Bridge.
func (h *BridgeHandle) Agent() *Stream { return h.agent }

// Close stops any recording (finishing its file) and unbridges: both legs
// go back to whatever they play, or silence, and may be bridged again.
// It is idempotent.
func (h *BridgeHandle) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	rec, holdMusic := h.recording, h.holdMusic
	h.recording = nil
	mon := h.monitor
	h.monitor = nil
	h.mu.Unlock()
	if mon != nil {
		mon.detach()
	}

	if rec != nil {
		_ = rec.Stop() // its caller, if any, gets the error from Stop
	}
	bridgeMu.Lock()
	h.caller.forward.Store(nil)
	h.agent.forward.Store(nil)
	h.caller.relay.SetActive(false)
	h.agent.relay.SetActive(false)
	h.caller.bridge, h.agent.bridge = nil, nil
	bridgeMu.Unlock()
	if holdMusic {
		h.caller.StopPlayback()
	}
}

// Hold parks the caller: neither leg hears the other, and the caller
// hears music looped (silence when music is nil) until Unhold. Holding a
// held or closed bridge does nothing.
func (h *BridgeHandle) Hold(music *playout.Prompt) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.held {
		return
	}
	h.held, h.holdMusic = true, music != nil
	h.monitor.setHeld(true)
	h.caller.relay.SetActive(false)
	h.agent.relay.SetActive(false)
	if music != nil {
		h.caller.PlayLoop(music)
	}
}

// Unhold ends Hold: the hold music stops (so does anything else the
// caller leg was playing) and the legs hear each other again.
func (h *BridgeHandle) Unhold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || !h.held {
		return
	}
	if h.holdMusic {
		h.caller.StopPlayback()
	}
	h.held, h.holdMusic = false, false
	if !h.monitor.setHeld(false) { // a monitor's mixer carries the audio instead
		h.caller.relay.SetActive(true)
		h.agent.relay.SetActive(true)
	}
}

// Held reports whether the bridge is on hold.
func (h *BridgeHandle) Held() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held
}
