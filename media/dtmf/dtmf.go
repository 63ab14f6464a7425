package dtmf

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// DTMF errors.
var (
	ErrInvalid         = errors.New("media: invalid DTMF")
	ErrShortBuffer     = errors.New("media: buffer too short")
	ErrUnsupportedINFO = errors.New("media: unsupported INFO body")
)

// PayloadSize is the fixed part of an RFC 4733 telephone-event payload.
const PayloadSize = 4

// maxLate is how far, in RTP timestamp units (8000 Hz for every codec
// we speak), a telephone-event packet may lag the last event and still be
// taken for its late duplicate: 10 s, far beyond any network delay or
// jitter buffer, and beyond the 8 s a single event's duration field spans.
const maxLate = 10 * rtpcodec.ClockRate

// Event is one RFC 4733 telephone-event payload.
type Event struct {
	Event    uint8  // 0-9, 10 '*', 11 '#', 12-15 A-D, 16 flash
	End      bool   // E bit: the event has ended
	Volume   uint8  // 0-63, in -dBm0
	Duration uint16 // in timestamp units (1/8000 s) since the event began
}

// Parse decodes the first four bytes of payload; extra bytes (some
// senders pad, RFC 4733 allows redundancy blocks elsewhere) are ignored.
func Parse(payload []byte) (Event, error) {
	if len(payload) < PayloadSize {
		return Event{}, fmt.Errorf("%w: %d-byte telephone-event payload", ErrInvalid, len(payload))
	}
	return Event{
		Event:    payload[0],
		End:      payload[1]&0x80 != 0,
		Volume:   payload[1] & 0x3F,
		Duration: binary.BigEndian.Uint16(payload[2:4]),
	}, nil
}

// MarshalTo writes the 4-byte payload into b and returns its length.
func (e Event) MarshalTo(b []byte) (int, error) {
	if len(b) < PayloadSize {
		return 0, fmt.Errorf("%w: need %d bytes for telephone-event", ErrShortBuffer, PayloadSize)
	}
	b[0] = e.Event
	b[1] = e.Volume & 0x3F
	if e.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:4], e.Duration)
	return PayloadSize, nil
}

// dtmfDigits maps event codes 0-15 to their keys.
const dtmfDigits = "0123456789*#ABCD"

// DigitForEvent returns the key of a DTMF event code; false for flash and
// the non-DTMF events.
func DigitForEvent(event uint8) (rune, bool) {
	if int(event) >= len(dtmfDigits) {
		return 0, false
	}
	return rune(dtmfDigits[event]), true
}

// EventForDigit returns the event code of a key; lower-case a-d are
// accepted too.
func EventForDigit(digit rune) (uint8, bool) {
	switch {
	case digit >= '0' && digit <= '9':
		return uint8(digit - '0'), true
	case digit == '*':
		return 10, true
	case digit == '#':
		return 11, true
	case digit >= 'A' && digit <= 'D':
		return uint8(digit-'A') + 12, true
	case digit >= 'a' && digit <= 'd':
		return uint8(digit-'a') + 12, true
	}
	return 0, false
}

// Receiver turns a stream of telephone-event packets into key presses.
// The zero value is ready to use; it is not safe for concurrent use.
//
// All packets of one event, including the three redundant end packets,
// carry the RTP timestamp of the event's start, and each new press gets a
// new timestamp. So the receiver reports a digit at the FIRST packet it
// sees with a new timestamp and ignores every later packet with that
// timestamp. This reacts as early as possible (barge-in stops a prompt at
// key-down), and because no particular packet is required, a lost end
// packet or lost start packets can neither drop nor double a digit.
// Packets with a timestamp older than the last event are late duplicates
// and are ignored too; call Reset when the sender's SSRC changes, since a
// new source starts a new timestamp space. A timestamp more than
// maxLate behind the last event is no duplicate (no jitter buffer
// holds a packet that long): the sender restarted its clock without a
// sign in its sequence numbers, and the packet starts a new event.
type Receiver struct {
	lastTimestamp uint32
	seen          bool
}

// Handle processes one telephone-event payload with its RTP timestamp and
// returns the digit when this packet starts a new event.
func (r *Receiver) Handle(rtpTimestamp uint32, payload []byte) (digit rune, ok bool) {
	if len(payload) < PayloadSize {
		return 0, false
	}
	if r.seen {
		if behind := int32(r.lastTimestamp - rtpTimestamp); behind >= 0 && behind < maxLate {
			return 0, false
		}
	}
	r.seen, r.lastTimestamp = true, rtpTimestamp
	return DigitForEvent(payload[0])
}

// Reset forgets the last event, for a new RTP source.
func (r *Receiver) Reset() { *r = Receiver{} }
