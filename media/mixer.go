package media

import (
	"fmt"
	"sync"
)

// MonitorMode is how a supervisor joins an agent's call.
type MonitorMode uint8

// Monitor modes. The zero value is not a mode, so a forgotten field is an
// error rather than a silent listen.
const (
	// MonitorListen: the supervisor hears caller and agent; nobody hears
	// the supervisor.
	MonitorListen MonitorMode = iota + 1
	// MonitorWhisper: the supervisor hears caller and agent, the agent
	// hears caller and supervisor, the caller hears only the agent.
	MonitorWhisper
	// MonitorBarge: a three-way conference; everyone hears the other two.
	MonitorBarge
)

func (m MonitorMode) String() string {
	switch m {
	case MonitorListen:
		return "listen"
	case MonitorWhisper:
		return "whisper"
	case MonitorBarge:
		return "barge"
	}
	return fmt.Sprintf("MonitorMode(%d)", uint8(m))
}

// Valid reports whether m is one of the three modes.
func (m MonitorMode) Valid() bool { return m >= MonitorListen && m <= MonitorBarge }

// ParseMonitorMode reads "listen", "whisper" or "barge".
func ParseMonitorMode(s string) (MonitorMode, error) {
	for _, m := range []MonitorMode{MonitorListen, MonitorWhisper, MonitorBarge} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want listen, whisper or barge)", ErrMonitorMode, s)
}

// The three parties of a monitored call, as indexes into the mixer's
// tables.
const (
	partyCaller = iota
	partyAgent
	partySupervisor
	mixParties
)

// hears is the routing matrix: whether listener hears source in mode.
// While the bridge is held the caller is parked with music, so the caller
// neither hears nor is heard; agent and supervisor may still talk (a
// whisper during hold is the classic coaching moment).
func hears(mode MonitorMode, held bool, listener, source int) bool {
	if listener == source {
		return false
	}
	if held && (listener == partyCaller || source == partyCaller) {
		return false
	}
	switch {
	case listener == partySupervisor:
		return true
	case source == partySupervisor:
		return mode == MonitorBarge || (mode == MonitorWhisper && listener == partyAgent)
	}
	return true // caller and agent always hear each other
}

// Mixer ring geometry: the same bounds as the relay (see relayRing) so a
// monitored call keeps the delay of an unmonitored one.
const (
	mixRingSamples = relayCapacity
	mixKeepSamples = relayKeepSamples
	mixTrimWindow  = relayTrimWindow
)

// pcmRing is a FIFO of linear samples from one source for one listener.
// Its policies are the relay's: overflow drops the oldest samples, an
// underflow contributes silence and keeps the partial frame, and standing
// delay beyond two frames is trimmed after a trim window. The monitor's
// mutex guards it.
type pcmRing struct {
	head, size int
	minSize    int
	pops       int
	buf        [mixRingSamples]int16
}

func (r *pcmRing) reset() {
	r.head, r.size = 0, 0
	r.minSize, r.pops = mixRingSamples, 0
}

// push decodes payload (G.711 in c) onto the ring.
func (r *pcmRing) push(table *[256]int16, payload []byte) {
	if excess := len(payload) - mixRingSamples; excess > 0 {
		payload = payload[excess:]
	}
	if overflow := r.size + len(payload) - mixRingSamples; overflow > 0 {
		r.discard(overflow)
	}
	// At most two runs: up to the end of buf, then from its start.
	tail := (r.head + r.size) % mixRingSamples
	n := min(len(payload), mixRingSamples-tail)
	for i, code := range payload[:n] {
		r.buf[tail+i] = table[code]
	}
	for i, code := range payload[n:] {
		r.buf[i] = table[code]
	}
	r.size += len(payload)
}

// addFrame adds the next frame onto acc; false when less than a frame is
// held (the source is silent for this frame).
func (r *pcmRing) addFrame(acc *[FrameSamples]int32) bool {
	r.trackDelay()
	if r.size < FrameSamples {
		return false
	}
	n := min(FrameSamples, mixRingSamples-r.head)
	for i, v := range r.buf[r.head : r.head+n] {
		acc[i] += int32(v)
	}
	for i, v := range r.buf[:FrameSamples-n] {
		acc[n+i] += int32(v)
	}
	r.discard(FrameSamples)
	return true
}

func (r *pcmRing) trackDelay() {
	r.minSize = min(r.minSize, r.size)
	if r.pops++; r.pops < mixTrimWindow {
		return
	}
	if excess := r.minSize - mixKeepSamples; excess >= FrameSamples {
		r.discard(excess)
	}
	r.minSize, r.pops = mixRingSamples, 0
}

func (r *pcmRing) discard(n int) {
	r.head = (r.head + n) % mixRingSamples
	r.size -= n
}

// skip drops a frame's worth: the listener hears a prompt instead.
func (r *pcmRing) skip() { r.discard(min(r.size, FrameSamples)) }

// linearTable returns the G.711 decoding table of c.
func linearTable(c Codec) *[256]int16 {
	if c == PCMA {
		return &alawToLinear
	}
	return &ulawToLinear
}

// Encoding tables for the mixer, which encodes every frame it sends (the
// relay and prompts never do): µ-law keeps the top 14 bits of a sample
// and A-law the top 12, so a table indexed by those bits gives the same
// code as the arithmetic quantiser at a fraction of the cost (20 KiB).
var (
	ulawEncodeTable [1 << 14]byte
	alawEncodeTable [1 << 12]byte
)

func init() {
	for i := range ulawEncodeTable {
		ulawEncodeTable[i] = LinearToUlaw(int16(uint16(i << 2)))
	}
	for i := range alawEncodeTable {
		alawEncodeTable[i] = LinearToAlaw(int16(uint16(i << 4)))
	}
}

// encodeMix clamps each sum to 16 bits (saturation rather than
// wrap-around, which would turn a loud moment into a crack) and encodes
// it into dst in c.
func encodeMix(dst *[FrameSamples]byte, acc *[FrameSamples]int32, c Codec) {
	if c == PCMA {
		for i, v := range acc {
			dst[i] = alawEncodeTable[uint16(int16(max(-32768, min(32767, v))))>>4]
		}
		return
	}
	for i, v := range acc {
		dst[i] = ulawEncodeTable[uint16(int16(max(-32768, min(32767, v))))>>2]
	}
}

// mixer holds, for each listener, one ring per source it may hear; the
// sum is taken when the listener's pacer asks for a frame, so sources that
// arrive unaligned (each leg has its own clock and jitter) still add up
// sample for sample.
type mixer struct {
	mu    sync.Mutex
	mode  MonitorMode
	held  bool
	rings [mixParties][mixParties]pcmRing // [listener][source]
	acc   [FrameSamples]int32             // scratch for pop, under mu
}

func (m *mixer) init(mode MonitorMode, held bool) {
	m.mode, m.held = mode, held
	for l := range m.rings {
		for s := range m.rings[l] {
			m.rings[l][s].reset()
		}
	}
}

// route changes mode or hold; rings of a path that opens start empty so
// nothing stale is heard.
func (m *mixer) route(mode MonitorMode, held bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for l := range mixParties {
		for s := range mixParties {
			if !hears(m.mode, m.held, l, s) && hears(mode, held, l, s) {
				m.rings[l][s].reset()
			}
		}
	}
	m.mode, m.held = mode, held
}

// push delivers one packet of source's audio to every listener who hears
// it now. It runs on the source's read loop and does not allocate.
func (m *mixer) push(source int, c Codec, payload []byte) {
	table := linearTable(c)
	m.mu.Lock()
	for l := range mixParties {
		if hears(m.mode, m.held, l, source) {
			m.rings[l][source].push(table, payload)
		}
	}
	m.mu.Unlock()
}

// pop mixes listener's next frame into frame, encoded in c; false when no
// source had a frame (the stream then sends silence).
func (m *mixer) pop(listener int, frame *[FrameSamples]byte, c Codec) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.acc[:])
	got := false
	for s := range mixParties {
		if hears(m.mode, m.held, listener, s) && m.rings[listener][s].addFrame(&m.acc) {
			got = true
		}
	}
	if got {
		encodeMix(frame, &m.acc, c)
	}
	return got
}

// skip drops a frame from each of listener's rings while a prompt plays
// to that listener.
func (m *mixer) skip(listener int) {
	m.mu.Lock()
	for s := range mixParties {
		m.rings[listener][s].skip()
	}
	m.mu.Unlock()
}

// mixPort is a stream's place in a monitor: which party it is. The stream
// holds a pointer to it while monitored (Stream.mix).
type mixPort struct {
	m     *mixer
	party int
}

func (p *mixPort) push(c Codec, payload []byte) { p.m.push(p.party, c, payload) }

func (p *mixPort) pop(frame *[FrameSamples]byte, c Codec) bool {
	return p.m.pop(p.party, frame, c)
}

// skip is nil-safe: the send path calls it on every prompt frame.
func (p *mixPort) skip() {
	if p != nil {
		p.m.skip(p.party)
	}
}
