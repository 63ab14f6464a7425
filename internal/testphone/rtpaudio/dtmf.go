package rtpaudio

import (
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	// DigitToneFrames is how many 20 ms frames a digit lasts (100 ms).
	DigitToneFrames = 5
	// DigitEndPackets is how often the final packet is repeated (RFC 4733 2.5.1.4).
	DigitEndPackets = 3
	// dtmfVolume is the power level in -dBm0 written in each event packet.
	dtmfVolume = 10
	// dtmfPayloadLen is the size of a telephone-event payload.
	dtmfPayloadLen = 4
)

var (
	// ErrBadDigit means the rune is not a DTMF key.
	ErrBadDigit = errors.New("testphone: not a DTMF digit")
	// ErrNoTelephoneEvent means the answer did not accept RFC 4733 events.
	ErrNoTelephoneEvent = errors.New("testphone: peer did not negotiate telephone-event")
)

// DigitEvent maps a key to its RFC 4733 event code.
func DigitEvent(digit rune) (uint8, error) {
	switch {
	case digit >= '0' && digit <= '9':
		return uint8(digit - '0'), nil
	case digit == '*':
		return 10, nil
	case digit == '#':
		return 11, nil
	case digit >= 'A' && digit <= 'D':
		return uint8(12 + digit - 'A'), nil
	case digit >= 'a' && digit <= 'd':
		return uint8(12 + digit - 'a'), nil
	}
	return 0, fmt.Errorf("%w: %q", ErrBadDigit, digit)
}

// encodeEvent writes an RFC 4733 payload: event, E|R|volume, duration.
func encodeEvent(event uint8, end bool, duration uint16) []byte {
	payload := make([]byte, dtmfPayloadLen)
	payload[0] = event
	payload[1] = dtmfVolume & 0x3F
	if end {
		payload[1] |= 0x80
	}
	binary.BigEndian.PutUint16(payload[2:], duration)
	return payload
}

// ParseEvent reads an RFC 4733 payload; false when it is too short.
func ParseEvent(payload []byte) (ReceivedEvent, bool) {
	if len(payload) < dtmfPayloadLen {
		return ReceivedEvent{}, false
	}
	return ReceivedEvent{
		Event:    payload[0],
		End:      payload[1]&0x80 != 0,
		Duration: binary.BigEndian.Uint16(payload[2:]),
	}, true
}

// eventFrame is one packet of a digit, as the sender emits it per 20 ms tick.
type eventFrame struct {
	payload []byte
	marker  bool
}

// digitFrames plans the packets of one digit: DigitToneFrames updates with a
// growing duration, then DigitEndPackets copies of the final one with the end
// bit set. All share the RTP timestamp of the first frame.
func digitFrames(event uint8) []eventFrame {
	frames := make([]eventFrame, 0, DigitToneFrames+DigitEndPackets)
	for i := 1; i <= DigitToneFrames; i++ {
		duration := uint16(i * SamplesPerFrame)
		frames = append(frames, eventFrame{payload: encodeEvent(event, false, duration), marker: i == 1})
	}
	final := uint16(DigitToneFrames * SamplesPerFrame)
	for range DigitEndPackets {
		frames = append(frames, eventFrame{payload: encodeEvent(event, true, final)})
	}
	return frames
}
