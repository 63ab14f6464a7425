package rtpaudio

import (
	"bytes"
	"errors"
	"testing"
)

func TestDTMFEventCodes(t *testing.T) {
	want := map[rune]uint8{'0': 0, '5': 5, '9': 9, '*': 10, '#': 11, 'A': 12, 'd': 15}
	for digit, code := range want {
		if got, err := DigitEvent(digit); err != nil || got != code {
			t.Errorf("DigitEvent(%q) = %d, %v; want %d", digit, got, err, code)
		}
	}
	for _, bad := range []rune{'e', ' ', '+'} {
		if _, err := DigitEvent(bad); !errors.Is(err, ErrBadDigit) {
			t.Errorf("DigitEvent(%q) err = %v", bad, err)
		}
	}
}

func TestEncodeEventWireFormat(t *testing.T) {
	// RFC 4733 2.3: event 9, end bit, volume 10, duration 800.
	if got, want := encodeEvent(9, true, 800), []byte{0x09, 0x8A, 0x03, 0x20}; !bytes.Equal(got, want) {
		t.Errorf("encodeEvent = % x, want % x", got, want)
	}
	ev, ok := ParseEvent([]byte{0x0B, 0x0A, 0x00, 0xA0})
	if !ok || ev != (ReceivedEvent{Event: 11, End: false, Duration: 160}) {
		t.Errorf("ParseEvent = %+v, %v", ev, ok)
	}
	if _, ok := ParseEvent([]byte{1, 2}); ok {
		t.Error("short payload parsed")
	}
}

func TestDigitFramesPlan(t *testing.T) {
	frames := digitFrames(4)
	if len(frames) != DigitToneFrames+DigitEndPackets {
		t.Fatalf("frames = %d", len(frames))
	}
	var lastDuration uint16
	for i, f := range frames {
		ev, _ := ParseEvent(f.payload)
		isEnd := i >= DigitToneFrames
		if ev.Event != 4 || ev.End != isEnd || f.marker != (i == 0) {
			t.Errorf("frame %d = %+v marker %v", i, ev, f.marker)
		}
		if ev.Duration < lastDuration {
			t.Errorf("frame %d: duration fell to %d", i, ev.Duration)
		}
		lastDuration = ev.Duration
	}
	if lastDuration != DigitToneFrames*SamplesPerFrame {
		t.Errorf("final duration = %d, want %d (100 ms)", lastDuration, DigitToneFrames*SamplesPerFrame)
	}
}
