package media

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// restartingSender builds the packets of a sender that keeps its SSRC and
// restarts its sequence numbers and timestamps.
type restartingSender struct {
	ssrc uint32
	seq  uint16
	ts   uint32
	out  [][]byte
}

func (r *restartingSender) audio(frames int) {
	for range frames {
		r.out = append(r.out, rtpPacket(0, r.seq, r.ts, r.ssrc, ulawSilenceFrame))
		r.seq++
		r.ts += rtpcodec.FrameSamples
	}
}

func (r *restartingSender) press(event uint8) {
	for _, payload := range mediatest.Press(event, 3) {
		r.out = append(r.out, rtpPacket(101, r.seq, r.ts, r.ssrc, payload))
		r.seq++
	}
	r.ts += 8 * rtpcodec.FrameSamples
}

func TestDigitsHeardAfterSenderRestart(t *testing.T) {
	cases := []struct {
		name        string
		audioAfter  int // audio frames between the restart and the next press
		seqBack, ts uint32
	}{
		{"audio confirms the restart", 5, 20000, 1 << 30},
		{"the press itself confirms it", 0, 20000, 1 << 30},
		{"small timestamp step back", 2, 9000, 4000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStream(StreamConfig{DTMFPayloadType: 101})
			snd := &restartingSender{ssrc: 77, seq: 50000, ts: 3_000_000_000}
			snd.audio(3)
			snd.press(1)
			snd.audio(3)
			snd.press(2)
			// The sender restarts behind an SBC: same SSRC, numbers back.
			snd.seq -= uint16(tc.seqBack)
			snd.ts -= tc.ts
			snd.audio(tc.audioAfter)
			for _, ev := range []uint8{3, 4, 3, 11} {
				snd.press(ev)
				snd.audio(2)
			}
			for _, pkt := range snd.out {
				s.handlePacket(pkt, peer, 0)
			}
			var got strings.Builder
			for len(s.Digits()) > 0 {
				got.WriteRune(<-s.Digits())
			}
			if got.String() != "12343#" {
				t.Fatalf("digits %q, want \"12343#\"", got.String())
			}
			if st := s.Stats(); st.SourceRestarts != 1 || st.PacketsLost != 0 {
				t.Fatalf("restarts %d lost %d, want 1 and 0", st.SourceRestarts, st.PacketsLost)
			}
		})
	}
}

func TestStrayPacketDoesNotResetDigits(t *testing.T) {
	s, _ := newTestStream(StreamConfig{DTMFPayloadType: 101})
	snd := &restartingSender{ssrc: 9, seq: 100, ts: 16000}
	snd.press(5)
	// A stray packet from far away in the sequence space repeats the
	// press's timestamp: it must neither add a digit nor reset the
	// receiver, so the press's late end packets stay duplicates.
	stray := rtpPacket(101, 30000, 16000, 9, []byte{5, 0x80 | 10, 0, 160})
	late := rtpPacket(101, 104, 16000, 9, []byte{5, 0x80 | 10, 0, 160})
	for _, pkt := range append(snd.out, stray, late) {
		s.handlePacket(pkt, peer, 0)
	}
	if n := len(s.Digits()); n != 1 {
		t.Fatalf("%d digits, want 1", n)
	}
	if st := s.Stats(); st.SourceRestarts != 0 {
		t.Fatalf("restarts %d, want 0", st.SourceRestarts)
	}
}
