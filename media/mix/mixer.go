package mix

import (
	"sync"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// Mixer ring geometry: the same bounds as the relay (see Relay) so a
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
func (r *pcmRing) addFrame(acc *[rtpcodec.FrameSamples]int32) bool {
	r.trackDelay()
	if r.size < rtpcodec.FrameSamples {
		return false
	}
	n := min(rtpcodec.FrameSamples, mixRingSamples-r.head)
	for i, v := range r.buf[r.head : r.head+n] {
		acc[i] += int32(v)
	}
	for i, v := range r.buf[:rtpcodec.FrameSamples-n] {
		acc[n+i] += int32(v)
	}
	r.discard(rtpcodec.FrameSamples)
	return true
}

func (r *pcmRing) trackDelay() {
	r.minSize = min(r.minSize, r.size)
	if r.pops++; r.pops < mixTrimWindow {
		return
	}
	if excess := r.minSize - mixKeepSamples; excess >= rtpcodec.FrameSamples {
		r.discard(excess)
	}
	r.minSize, r.pops = mixRingSamples, 0
}

func (r *pcmRing) discard(n int) {
	r.head = (r.head + n) % mixRingSamples
	r.size -= n
}

// skip drops a frame's worth: the listener hears a prompt instead.
func (r *pcmRing) skip() { r.discard(min(r.size, rtpcodec.FrameSamples)) }

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
		ulawEncodeTable[i] = rtpcodec.LinearToUlaw(int16(uint16(i << 2)))
	}
	for i := range alawEncodeTable {
		alawEncodeTable[i] = rtpcodec.LinearToAlaw(int16(uint16(i << 4)))
	}
}

// encodeMix clamps each sum to 16 bits (saturation rather than
// wrap-around, which would turn a loud moment into a crack) and encodes
// it into dst in c.
func encodeMix(dst *[rtpcodec.FrameSamples]byte, acc *[rtpcodec.FrameSamples]int32, c rtpcodec.Codec) {
	if c == rtpcodec.PCMA {
		for i, v := range acc {
			dst[i] = alawEncodeTable[uint16(int16(max(-32768, min(32767, v))))>>4]
		}
		return
	}
	for i, v := range acc {
		dst[i] = ulawEncodeTable[uint16(int16(max(-32768, min(32767, v))))>>2]
	}
}

// Mixer holds, for each listener, one ring per source it may hear; the
// sum is taken when the listener's pacer asks for a frame, so sources that
// arrive unaligned (each leg has its own clock and jitter) still add up
// sample for sample.
type Mixer struct {
	mu    sync.Mutex
	mode  Mode
	held  bool
	rings [Parties][Parties]pcmRing    // [listener][source]
	acc   [rtpcodec.FrameSamples]int32 // scratch for pop, under mu
}

func (m *Mixer) Init(mode Mode, held bool) {
	m.mode, m.held = mode, held
	for l := range m.rings {
		for s := range m.rings[l] {
			m.rings[l][s].reset()
		}
	}
}

// Route changes mode or hold; rings of a path that opens start empty so
// nothing stale is heard.
func (m *Mixer) Route(mode Mode, held bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for l := range Parties {
		for s := range Parties {
			if !hears(m.mode, m.held, l, s) && hears(mode, held, l, s) {
				m.rings[l][s].reset()
			}
		}
	}
	m.mode, m.held = mode, held
}

// Push delivers one packet of source's audio to every listener who hears
// it now. It runs on the source's read loop and does not allocate.
func (m *Mixer) Push(source int, c rtpcodec.Codec, payload []byte) {
	table := c.LinearTable()
	m.mu.Lock()
	for l := range Parties {
		if hears(m.mode, m.held, l, source) {
			m.rings[l][source].push(table, payload)
		}
	}
	m.mu.Unlock()
}

// Pop mixes listener's next frame into frame, encoded in c; false when no
// source had a frame (the stream then sends silence).
func (m *Mixer) Pop(listener int, frame *[rtpcodec.FrameSamples]byte, c rtpcodec.Codec) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.acc[:])
	got := false
	for s := range Parties {
		if hears(m.mode, m.held, listener, s) && m.rings[listener][s].addFrame(&m.acc) {
			got = true
		}
	}
	if got {
		encodeMix(frame, &m.acc, c)
	}
	return got
}

// Skip drops a frame from each of listener's rings while a prompt plays
// to that listener.
func (m *Mixer) Skip(listener int) {
	m.mu.Lock()
	for s := range Parties {
		m.rings[listener][s].skip()
	}
	m.mu.Unlock()
}

// Mode returns the routing mode in force.
func (m *Mixer) Mode() Mode {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mode
}
