package dtmf

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
)

// RFC 4733 §2.3 layout: event | E R volume(6) | duration(16).
var dtmfVectors = []struct {
	wire  []byte
	event Event
}{
	{[]byte{0x05, 0x0A, 0x00, 0xA0}, Event{Event: 5, Volume: 10, Duration: 160}},
	{[]byte{0x05, 0x8A, 0x03, 0x20}, Event{Event: 5, End: true, Volume: 10, Duration: 800}},
	{[]byte{0x0B, 0x3F, 0xFF, 0xFF}, Event{Event: 11, Volume: 63, Duration: 65535}},
	{[]byte{0x0A, 0x80, 0x00, 0x00}, Event{Event: 10, End: true}},
	{[]byte{0x10, 0x00, 0x01, 0x40}, Event{Event: 16, Duration: 320}},
}

func TestDTMFVectors(t *testing.T) {
	for _, v := range dtmfVectors {
		got, err := Parse(v.wire)
		if err != nil || got != v.event {
			t.Errorf("ParseDTMF(% x) = %+v, %v; want %+v", v.wire, got, err, v.event)
		}
		buf := make([]byte, 6)
		n, err := v.event.MarshalTo(buf)
		if err != nil || n != 4 || !bytes.Equal(buf[:n], v.wire) {
			t.Errorf("MarshalTo(%+v) = % x, %v; want % x", v.event, buf[:n], err, v.wire)
		}
	}
	// The R bit is reserved: ignored when reading.
	if got, _ := Parse([]byte{1, 0x40 | 7, 0, 1}); got != (Event{Event: 1, Volume: 7, Duration: 1}) {
		t.Errorf("R bit not ignored: %+v", got)
	}
	// Trailing bytes are ignored.
	if got, err := Parse([]byte{9, 0, 0, 8, 0xEE}); err != nil || got.Event != 9 {
		t.Errorf("padded payload: %+v, %v", got, err)
	}
}

func TestDTMFErrors(t *testing.T) {
	for _, short := range [][]byte{nil, {1}, {1, 2, 3}} {
		if _, err := Parse(short); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseDTMF(% x): err = %v", short, err)
		}
	}
	if _, err := (Event{}).MarshalTo(make([]byte, 3)); !errors.Is(err, ErrShortBuffer) {
		t.Errorf("MarshalTo short: err = %v", err)
	}
}

func TestDigitEventMapping(t *testing.T) {
	for i, want := range "0123456789*#ABCD" {
		got, ok := DigitForEvent(uint8(i))
		if !ok || got != want {
			t.Errorf("DigitForEvent(%d) = %q, %v", i, got, ok)
		}
		ev, ok := EventForDigit(want)
		if !ok || ev != uint8(i) {
			t.Errorf("EventForDigit(%q) = %d, %v", want, ev, ok)
		}
	}
	if ev, ok := EventForDigit('c'); !ok || ev != 14 {
		t.Errorf("EventForDigit('c') = %d, %v", ev, ok)
	}
	for _, r := range "EeX!, 5\x00" {
		if r == '5' {
			continue
		}
		if _, ok := EventForDigit(r); ok {
			t.Errorf("EventForDigit(%q) accepted", r)
		}
	}
	if _, ok := DigitForEvent(16); ok {
		t.Error("flash mapped to a digit")
	}
}

func TestDTMFReceiver(t *testing.T) {
	type packet struct {
		ts      uint32
		payload []byte
	}
	sequence := func(ts uint32, payloads [][]byte) []packet {
		var out []packet
		for _, p := range payloads {
			out = append(out, packet{ts, p})
		}
		return out
	}
	cases := []struct {
		name    string
		packets []packet
		want    string
	}{
		{"one press with redundant ends", sequence(1000, mediatest.Press(5, 4)), "5"},
		{"start packets lost", sequence(1000, mediatest.Press(5, 4)[4:]), "5"},
		{"end packets lost", sequence(1000, mediatest.Press(5, 4)[:4]), "5"},
		{"same digit twice", append(sequence(1000, mediatest.Press(1, 3)), sequence(2000, mediatest.Press(1, 3))...), "11"},
		{"different digits", append(sequence(1000, mediatest.Press(11, 2)), sequence(1800, mediatest.Press(10, 2))...), "#*"},
		{"late packet of previous event", append(sequence(2000, mediatest.Press(7, 2)), packet{1000, []byte{7, 0, 0, 160}}), "7"},
		{"timestamp wraps", append(sequence(0xFFFFFF00, mediatest.Press(2, 2)), sequence(0x100, mediatest.Press(3, 2))...), "23"},
		{"timestamp zero", sequence(0, mediatest.Press(4, 2)), "4"},
		{"late by just under the limit", append(sequence(100000, mediatest.Press(7, 2)), packet{100000 - maxLate + 1, []byte{8, 0, 0, 160}}), "7"},
		{"clock restarted far behind", append(sequence(100000, mediatest.Press(7, 2)), sequence(100000-maxLate, mediatest.Press(8, 2))...), "78"},
		{"clock restarted across the wrap", append(sequence(50, mediatest.Press(1, 2)), sequence(0xF0000000, mediatest.Press(2, 2))...), "12"},
		{"flash is not a digit", sequence(1000, mediatest.Press(16, 2)), ""},
		{"short payloads ignored", []packet{{1000, []byte{5}}, {1000, []byte{5, 0, 0, 160}}}, "5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r Receiver
			var got []rune
			for _, p := range tc.packets {
				if d, ok := r.Handle(p.ts, p.payload); ok {
					got = append(got, d)
				}
			}
			if string(got) != tc.want {
				t.Fatalf("digits %q, want %q", string(got), tc.want)
			}
		})
	}
}

func TestDTMFReceiverReset(t *testing.T) {
	var r Receiver
	if _, ok := r.Handle(5000, []byte{1, 0, 0, 160}); !ok {
		t.Fatal("first event not reported")
	}
	// A new source may start below the old timestamps.
	r.Reset()
	if d, ok := r.Handle(10, []byte{2, 0, 0, 160}); !ok || d != '2' {
		t.Fatalf("after Reset: %q, %v", d, ok)
	}
}

func TestParseINFO(t *testing.T) {
	cases := []struct {
		contentType string
		body        string
		want        rune
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5'},
		{"application/dtmf-relay", "signal= 9\nduration= 250", '9'},
		{"Application/DTMF-Relay; charset=utf-8", "SIGNAL = #\r\nDuration=100", '#'},
		{"application/dtmf-relay", "Duration=160\r\nSignal=*\r\n", '*'},
		{"application/dtmf-relay", "Signal=10\r\nDuration=160", '*'},
		{"application/dtmf-relay", "Signal= 11\r\nDuration=160", '#'},
		{"application/dtmf-relay", "Signal=d\r\n", 'D'},
		{"application/dtmf-relay", "Signal=12", 'A'},
		{"application/dtmf", "7", '7'},
		{"application/dtmf", " #\r\n", '#'},
		{"application/dtmf", "11", '#'},
	}
	for _, tc := range cases {
		got, err := ParseINFO(tc.contentType, []byte(tc.body))
		if err != nil || got != tc.want {
			t.Errorf("ParseINFO(%q, %q) = %q, %v; want %q", tc.contentType, tc.body, got, err, tc.want)
		}
	}
}

func TestParseINFOErrors(t *testing.T) {
	cases := []struct {
		contentType string
		body        string
		want        error
	}{
		{"application/sdp", "v=0", ErrUnsupportedINFO},
		{"text/plain", "5", ErrUnsupportedINFO},
		{"", "5", ErrUnsupportedINFO},
		{"application/dtmf-relay", "Duration=160", ErrInvalid},
		{"application/dtmf-relay", "Signal=\r\n", ErrInvalid},
		{"application/dtmf-relay", "Signal=16", ErrInvalid},
		{"application/dtmf-relay", "Signal=55", ErrInvalid},
		{"application/dtmf-relay", "Signal=E", ErrInvalid},
		{"application/dtmf", "", ErrInvalid},
		{"application/dtmf", "12345", ErrInvalid},
		{"application/dtmf", "x", ErrInvalid},
		{"application/dtmf", string(bytes.Repeat([]byte("5"), 2000)), ErrInvalid},
	}
	for _, tc := range cases {
		if _, err := ParseINFO(tc.contentType, []byte(tc.body)); !errors.Is(err, tc.want) {
			t.Errorf("ParseINFO(%q, %.20q): err = %v, want %v", tc.contentType, tc.body, err, tc.want)
		}
	}
}

func FuzzParseDTMF(f *testing.F) {
	for _, v := range dtmfVectors {
		f.Add(v.wire, uint32(1000))
	}
	f.Add([]byte{}, uint32(0))
	f.Fuzz(func(t *testing.T, payload []byte, ts uint32) {
		ev, err := Parse(payload)
		if err != nil {
			if len(payload) >= 4 {
				t.Fatalf("4+ bytes rejected: %v", err)
			}
			return
		}
		buf := make([]byte, 4)
		if _, err := ev.MarshalTo(buf); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(buf)
		if err != nil || again != ev {
			t.Fatalf("round trip %+v -> %+v, %v", ev, again, err)
		}
		var r Receiver
		d1, ok1 := r.Handle(ts, payload)
		if _, ok := r.Handle(ts, payload); ok {
			t.Fatal("same timestamp reported twice")
		}
		if want, ok := DigitForEvent(payload[0]); ok1 != ok || d1 != want {
			t.Fatalf("Handle = %q, %v; want %q, %v", d1, ok1, want, ok)
		}
	})
}

func FuzzParseINFO(f *testing.F) {
	f.Add("application/dtmf-relay", []byte("Signal=5\r\nDuration=160"))
	f.Add("application/dtmf", []byte("#"))
	f.Add("application/dtmf-relay; x=y", []byte("signal = 11"))
	f.Add("text/plain", []byte(""))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		digit, err := ParseINFO(contentType, body)
		if err != nil {
			return
		}
		if _, ok := EventForDigit(digit); !ok {
			t.Fatalf("ParseINFO returned non-key %q", digit)
		}
	})
}
