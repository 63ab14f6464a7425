package dtmf

import "github.com/hotline-oss/hotline/media/rtpcodec"

// DTMF sending parameters (RFC 4733 §2.5).
const (
	QueueSize  = 16
	endPackets = 3  // the end packet is sent three times against loss
	gapFrames  = 2  // pause between two queued keys, in frames
	volume     = 10 // -10 dBm0, a typical key-press level
	// Durations are 16-bit timestamp counts: about 8 s at 8 kHz.
	MaxFrames = 0xFFFF / rtpcodec.FrameSamples
)

// Sender turns queued key presses into RFC 4733 packets, one call of Next
// per 20 ms frame. The zero value is ready; it is not safe for concurrent
// use (the stream guards it with its send lock).
type Sender struct {
	queue       [QueueSize]queuedDigit
	head, count int

	active       bool
	event        uint8
	frames, sent int // event length and frames sent so far, in frames
	ends         int // end packets sent
	start        uint32
	gap          int
}

type queuedDigit struct {
	event  uint8
	frames int
}

// Next advances the key-press state by one frame. When a key is down it
// returns the event payload for this frame and the event's RTP timestamp
// (all packets of one event carry its start time); first marks the
// event's first packet.
func (d *Sender) Next(now uint32) (ev Event, start uint32, first, ok bool) {
	if !d.active {
		if d.gap > 0 {
			d.gap--
			return Event{}, 0, false, false
		}
		if d.count == 0 {
			return Event{}, 0, false, false
		}
		q := d.queue[d.head]
		d.head, d.count = (d.head+1)%len(d.queue), d.count-1
		d.active, d.event, d.frames, d.start = true, q.event, q.frames, now
		d.sent, d.ends = 0, 0
	}
	ev = Event{Event: d.event, Volume: volume}
	if d.sent < d.frames {
		d.sent++
		ev.Duration = uint16(d.sent * rtpcodec.FrameSamples)
		return ev, d.start, d.sent == 1, true
	}
	d.ends++
	ev.End, ev.Duration = true, uint16(d.frames*rtpcodec.FrameSamples)
	if d.ends == endPackets {
		d.active, d.gap = false, gapFrames
	}
	return ev, d.start, false, true
}

// Queue adds a key press of event lasting frames frames (1 to MaxFrames);
// false when QueueSize presses are already waiting.
func (d *Sender) Queue(event uint8, frames int) bool {
	if d.count == len(d.queue) {
		return false
	}
	d.queue[(d.head+d.count)%len(d.queue)] = queuedDigit{event: event, frames: frames}
	d.count++
	return true
}
