package media

import (
	"errors"
	"fmt"
	"sync"

	"github.com/hotline-oss/hotline/media/mix"
)

// ErrMonitored refuses a second supervisor on a call; an invalid mode is
// mix.ErrMode.
var ErrMonitored = errors.New("media: call already monitored")

// Monitor is a supervisor's stream joined to a bridged call. While it is
// attached, the three legs' audio goes through a mixer instead of the
// bridge's direct relay: each leg hears the sum of the sources the mode
// lets it hear (see mix.Mode), encoded in its own codec and sent on its
// own pacer schedule. Detaching restores the direct relay, so a call that
// is not monitored pays nothing for the feature.
//
// All methods are safe for concurrent use.
type Monitor struct {
	bridge *BridgeHandle
	sup    *Stream
	mix    mix.Mixer
	ports  [mix.Parties]mixPort

	once sync.Once
	done chan struct{}
}

// Monitor joins sup to the bridged call in mode. sup must not be a leg of
// this or any bridge, and the call must not already be monitored.
func (h *BridgeHandle) Monitor(sup *Stream, mode mix.Mode) (*Monitor, error) {
	if !mode.Valid() {
		return nil, fmt.Errorf("%w: %d", mix.ErrMode, mode)
	}
	if sup == h.caller || sup == h.agent {
		return nil, fmt.Errorf("%w: a leg cannot monitor its own call", ErrBridged)
	}
	bridgeMu.Lock()
	defer bridgeMu.Unlock()
	if sup.bridge != nil || sup.mix.Load() != nil {
		return nil, ErrBridged
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return nil, ErrBridgeClosed
	case h.monitor != nil:
		return nil, ErrMonitored
	}
	m := &Monitor{bridge: h, sup: sup, done: make(chan struct{})}
	m.mix.Init(mode, h.held)
	for i, s := range m.streams() {
		m.ports[i] = mixPort{m: &m.mix, party: i}
		s.mix.Store(&m.ports[i])
	}
	// The mixer now carries caller↔agent audio too: stop the direct path.
	h.caller.forward.Store(nil)
	h.agent.forward.Store(nil)
	h.caller.relay.SetActive(false)
	h.agent.relay.SetActive(false)
	h.monitor = m
	return m, nil
}

func (m *Monitor) streams() [mix.Parties]*Stream {
	return [mix.Parties]*Stream{m.bridge.caller, m.bridge.agent, m.sup}
}

// Mode returns the current mode.
func (m *Monitor) Mode() mix.Mode {
	return m.mix.Mode()
}

// SetMode switches between listen, whisper and barge; it fails once the
// monitor has ended.
func (m *Monitor) SetMode(mode mix.Mode) error {
	if !mode.Valid() {
		return fmt.Errorf("%w: %d", mix.ErrMode, mode)
	}
	h := m.bridge
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.monitor != m {
		return ErrBridgeClosed
	}
	m.mix.Route(mode, h.held)
	return nil
}

// Done is closed when the monitor ends: Close, or the bridge closed.
func (m *Monitor) Done() <-chan struct{} { return m.done }

// Close detaches the supervisor; the caller and agent go back to hearing
// each other directly (unless the bridge is held or closed meanwhile).
// It is idempotent.
func (m *Monitor) Close() {
	h := m.bridge
	bridgeMu.Lock()
	h.mu.Lock()
	if h.monitor == m {
		h.monitor = nil
		if !h.closed {
			h.caller.forward.Store(h.agent)
			h.agent.forward.Store(h.caller)
			h.caller.relay.SetActive(!h.held)
			h.agent.relay.SetActive(!h.held)
		}
	}
	h.mu.Unlock()
	bridgeMu.Unlock()
	m.detach()
}

// detach takes the mixer out of the streams' paths and signals Done.
func (m *Monitor) detach() {
	m.once.Do(func() {
		for i, s := range m.streams() {
			s.mix.CompareAndSwap(&m.ports[i], nil)
		}
		close(m.done)
	})
}

// setHeld follows the bridge's hold; the caller leaves and rejoins the
// mix. It reports whether a monitor is attached (nil-safe). The caller
// holds the bridge's mu.
func (m *Monitor) setHeld(held bool) bool {
	if m == nil {
		return false
	}
	m.mix.Route(m.mix.Mode(), held)
	return true
}

// Monitored returns the monitor attached to the bridge, or nil.
func (h *BridgeHandle) Monitored() *Monitor {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.monitor
}
