package mix

import (
	"sync"
	"sync/atomic"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// Relay geometry. A bridged stream sends its peer's audio from a small
// FIFO of G.711 samples that the peer's read loop fills and this stream's
// pacer drains one 20 ms frame at a time, so the outgoing packets keep
// this stream's own schedule, sequence numbers, timestamps and SSRC.
const (
	// relayFrames bounds the relay delay: 120 ms absorbs ordinary network
	// jitter and packets of up to 60 ms ptime, while more would only add
	// delay to a conversation.
	relayFrames   = 6
	relayCapacity = relayFrames * rtpcodec.FrameSamples
	// relayTrimWindow is how many pacer frames (2 s) the FIFO is watched
	// before excess delay is trimmed.
	relayTrimWindow = 100
	// relayKeepSamples is the delay that is never trimmed: a frame about to
	// be sent plus a frame of jitter margin. Trimming below that would turn
	// steady arrival jitter into repeated underflows.
	relayKeepSamples = 2 * rtpcodec.FrameSamples
)

// Relay is a FIFO of samples in one G.711 law. The FIFO is sample
// based, not packet based, because G.711 has no frame structure: packets
// of any ptime are re-chunked into 20 ms frames for free (10 ms packets
// make one frame per two, 30 ms packets three frames per two).
//
// Policies, chosen for speech:
//   - overflow drops the oldest samples (late audio is worth less than new);
//   - underflow sends one frame of silence and keeps any partial frame, so
//     after a late packet the FIFO holds one extra frame that absorbs the
//     same jitter next time; repeating the last frame would buzz on a
//     longer gap, and silence is what the peer sent during a pause anyway;
//   - when the FIFO never held less than three frames (relayKeepSamples
//     plus the frame being sent) before a send during a whole trim window (a burst after a stall, or a peer
//     whose clock runs fast), the excess is dropped at once, so the delay
//     returns to at most two frames;
//   - packets are relayed in arrival order: a lost packet is heard as an
//     underflow, a reordered one out of place, both far rarer than the
//     delay a reordering buffer would add to every frame.
//
// Writers are the peer's read loop; the reader is the pacer with the
// stream's mu held. The ring's own mutex keeps the two apart without
// making the read loop wait for a whole send.
type Relay struct {
	mu     sync.Mutex
	active bool           // bridged and not held; otherwise pushes are ignored
	codec  rtpcodec.Codec // law of the samples held
	head   int            // index of the oldest sample
	size   int            // samples held
	buf    [relayCapacity]byte

	minSize int // smallest size seen before a pop in this trim window
	pops    int // pops in this trim window

	relayed, underflows     atomic.Uint64 // frames
	dropped, trimmedSamples atomic.Uint64 // samples
}

// SetActive switches relaying on or off; either way the FIFO starts
// empty, so stale audio from before a hold or an earlier bridge is never
// sent.
func (r *Relay) SetActive(on bool) {
	r.mu.Lock()
	r.active = on
	r.head, r.size = 0, 0
	r.resetWindow()
	r.mu.Unlock()
}

func (r *Relay) resetWindow() {
	r.minSize, r.pops = relayCapacity, 0
}

// Push appends payload, encoded in from, converting it to the law to. It
// runs on the peer's read loop for every packet and must not allocate.
func (r *Relay) Push(from, to rtpcodec.Codec, payload []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.active {
		return
	}
	if to != r.codec {
		r.convertHeld(to)
	}
	if excess := len(payload) - relayCapacity; excess > 0 {
		// A packet longer than the whole FIFO keeps only its newest part.
		r.dropped.Add(uint64(excess))
		payload = payload[excess:]
	}
	if overflow := r.size + len(payload) - relayCapacity; overflow > 0 {
		r.discard(overflow)
		r.dropped.Add(uint64(overflow))
	}
	table := rtpcodec.TranscodeTable(from, to)
	tail := (r.head + r.size) % relayCapacity
	// At most two runs: up to the end of buf, then from its start.
	n := copyCoded(r.buf[tail:], payload, table)
	copyCoded(r.buf[:], payload[n:], table)
	r.size += len(payload)
}

// copyCoded copies src into dst through table (nil: unchanged) and
// returns how many bytes it copied.
func copyCoded(dst, src []byte, table *[256]byte) int {
	if table == nil {
		return copy(dst, src)
	}
	n := min(len(dst), len(src))
	for i, code := range src[:n] {
		dst[i] = table[code]
	}
	return n
}

// Pop copies the next frame into frame, in the law c. It returns false,
// counting an underflow, when less than a frame is held, and false without
// counting when relaying is off. The caller holds the stream's mu.
func (r *Relay) Pop(frame *[rtpcodec.FrameSamples]byte, c rtpcodec.Codec) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.active {
		return false
	}
	r.trackDelay()
	if r.size < rtpcodec.FrameSamples {
		r.underflows.Add(1)
		return false
	}
	table := rtpcodec.TranscodeTable(r.codec, c)
	n := copyCoded(frame[:], r.buf[r.head:min(r.head+rtpcodec.FrameSamples, relayCapacity)], table)
	copyCoded(frame[n:], r.buf[:], table)
	r.discard(rtpcodec.FrameSamples)
	r.relayed.Add(1)
	return true
}

// Skip drops one frame's worth without sending it: a prompt is playing
// over the relay, and when it ends the listener should hear the peer as
// it is now, not as it was when the prompt began.
func (r *Relay) Skip() {
	r.mu.Lock()
	r.discard(min(r.size, rtpcodec.FrameSamples))
	r.mu.Unlock()
}

// trackDelay trims standing delay; see the type comment. The caller
// holds mu.
func (r *Relay) trackDelay() {
	r.minSize = min(r.minSize, r.size)
	if r.pops++; r.pops < relayTrimWindow {
		return
	}
	if excess := r.minSize - relayKeepSamples; excess >= rtpcodec.FrameSamples {
		r.discard(excess)
		r.trimmedSamples.Add(uint64(excess))
	}
	r.resetWindow()
}

// discard drops the n oldest samples; the caller holds mu.
func (r *Relay) discard(n int) {
	r.head = (r.head + n) % relayCapacity
	r.size -= n
}

// convertHeld re-encodes what is held into c; only a re-INVITE that
// changes the destination's codec mid-bridge gets here.
func (r *Relay) convertHeld(c rtpcodec.Codec) {
	if table := rtpcodec.TranscodeTable(r.codec, c); table != nil {
		for i := range r.size {
			at := (r.head + i) % relayCapacity
			r.buf[at] = table[r.buf[at]]
		}
	}
	r.codec = c
}

// Stats returns the counters in whole frames.
func (r *Relay) Stats() (relayed, dropped, underflows, trimmed uint64) {
	return r.relayed.Load(), r.dropped.Load() / rtpcodec.FrameSamples,
		r.underflows.Load(), r.trimmedSamples.Load() / rtpcodec.FrameSamples
}
