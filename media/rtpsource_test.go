package media

import (
	"strings"
	"testing"
)

func TestSeqValidatorVectors(t *testing.T) {
	type pkt struct {
		ssrc uint32
		seq  uint16
		want seqVerdict
		lost uint16
	}
	cases := []struct {
		name    string
		packets []pkt
	}{
		{"in order with a gap and a wrap", []pkt{
			{1, 65533, seqNewSource, 0}, {1, 65534, seqInOrder, 0}, {1, 1, seqInOrder, 2}, {1, 2, seqInOrder, 0},
		}},
		{"duplicate and reordered", []pkt{
			{1, 100, seqNewSource, 0}, {1, 102, seqInOrder, 1}, {1, 101, seqLate, 0}, {1, 102, seqLate, 0}, {1, 103, seqInOrder, 0},
		}},
		{"largest dropout still counts as loss", []pkt{
			{1, 10, seqNewSource, 0}, {1, 10 + maxDropout - 1, seqInOrder, maxDropout - 2},
		}},
		{"backward restart confirmed by the next packet", []pkt{
			{1, 40000, seqNewSource, 0}, {1, 40001, seqInOrder, 0},
			{1, 1000, seqProbation, 0}, {1, 1001, seqRestart, 0}, {1, 1002, seqInOrder, 0},
		}},
		{"forward restart confirmed", []pkt{
			{1, 10, seqNewSource, 0}, {1, 30000, seqProbation, 0}, {1, 30001, seqRestart, 0},
		}},
		{"restart across the wrap", []pkt{
			{1, 30000, seqNewSource, 0}, {1, 65535, seqProbation, 0}, {1, 0, seqRestart, 0},
		}},
		{"a lone stray packet never confirms", []pkt{
			{1, 500, seqNewSource, 0}, {1, 20000, seqProbation, 0}, {1, 501, seqInOrder, 0},
			{1, 502, seqInOrder, 0}, {1, 20001, seqProbation, 0}, {1, 503, seqInOrder, 0},
		}},
		{"a second jump replaces the first", []pkt{
			{1, 500, seqNewSource, 0}, {1, 20000, seqProbation, 0}, {1, 9000, seqProbation, 0}, {1, 9001, seqRestart, 0},
		}},
		{"late packets between jump and confirmation do not cancel it", []pkt{
			{1, 500, seqNewSource, 0}, {1, 20000, seqProbation, 0}, {1, 499, seqLate, 0}, {1, 20001, seqRestart, 0},
		}},
		{"misorder limit", []pkt{
			{1, 1000, seqNewSource, 0}, {1, 1000 - maxMisorder + 1, seqLate, 0}, {1, 1000 - maxMisorder, seqProbation, 0},
		}},
		{"new SSRC", []pkt{
			{1, 1000, seqNewSource, 0}, {2, 5, seqNewSource, 0}, {2, 6, seqInOrder, 0}, {1, 1001, seqNewSource, 0},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v seqValidator
			for i, p := range tc.packets {
				got, lost := v.check(p.ssrc, p.seq)
				if got != p.want || lost != p.lost {
					t.Fatalf("packet %d (ssrc %d seq %d): %s lost %d, want %s lost %d", i, p.ssrc, p.seq, got, lost, p.want, p.lost)
				}
			}
		})
	}
}

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
		r.ts += FrameSamples
	}
}

func (r *restartingSender) press(event uint8) {
	for _, payload := range press(event, 3) {
		r.out = append(r.out, rtpPacket(101, r.seq, r.ts, r.ssrc, payload))
		r.seq++
	}
	r.ts += 8 * FrameSamples
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
