package rtpstats

import "testing"

func TestRxQualityLossAndWrap(t *testing.T) {
	var q Reception
	// 65530..65535, 0..9 with 3 and 7 missing, one duplicate, one late.
	seqs := []uint16{65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 4, 5, 6, 8, 9, 9, 65534}
	for _, seq := range seqs {
		q.Update(1, seq, 0, 0, false)
	}
	expected, received, _, ssrc, ok := q.Snapshot()
	if !ok || ssrc != 1 {
		t.Fatalf("snapshot ok=%v ssrc=%d", ok, ssrc)
	}
	if expected != 16 || received != 16 {
		t.Fatalf("expected %d received %d, want 16 and 16 (2 lost, 1 duplicate, 1 late)", expected, received)
	}
	if got := q.pubExtMax.Load(); got != 1<<16+9 {
		t.Fatalf("extended max = %d, want %d", got, 1<<16+9)
	}
	// A new source starts over.
	q.Update(2, 100, 0, 0, false)
	if expected, received, _, _, _ := q.Snapshot(); expected != 1 || received != 1 {
		t.Fatalf("after SSRC change: expected %d received %d", expected, received)
	}
	// A jump beyond maxDropout is not 5000 losses: the read loop holds it
	// on probation and restarts the figures once it is confirmed.
	q.Update(2, 101, 0, 0, false)
	q.Update(2, 6000, 0, 0, false)
	if expected, received, _, _, _ := q.Snapshot(); expected != 2 || received != 3 {
		t.Fatalf("after an unconfirmed jump: expected %d received %d", expected, received)
	}
	q.Restart(2, 6001)
	q.Update(2, 6001, 0, 0, false)
	if expected, received, _, _, _ := q.Snapshot(); expected != 1 || received != 1 {
		t.Fatalf("after a confirmed restart: expected %d received %d", expected, received)
	}
}

func TestRxQualityJitter(t *testing.T) {
	var steady Reception
	for i := range 200 {
		ts := uint32(i * 160)
		steady.Update(7, uint16(i), ts, ts+1000, true)
	}
	if _, _, j, _, _ := steady.Snapshot(); j>>4 != 0 {
		t.Fatalf("constant transit gave jitter %d", j>>4)
	}
	// Arrivals alternately on time and 10 ms (80 units) late: |D| = 80
	// every packet, so J converges to 80 units (10 ms).
	var bumpy Reception
	for i := range 500 {
		ts := uint32(i * 160)
		arrival := ts + 1000 + uint32(i%2)*80
		bumpy.Update(7, uint16(i), ts, arrival, true)
	}
	_, _, j16, _, _ := bumpy.Snapshot()
	if got := j16 >> 4; got < 78 || got > 80 {
		t.Fatalf("jitter = %d units, want about 80", got)
	}
	// Event packets repeat their start timestamp; they must not count.
	var events Reception
	for i := range 50 {
		events.Update(7, uint16(i), 1000, uint32(i*160), false)
	}
	if _, _, j, _, _ := events.Snapshot(); j != 0 {
		t.Fatalf("RFC 4733 packets produced jitter %d", j)
	}
}
