package rtpstats

import "testing"

func TestSeqValidatorVectors(t *testing.T) {
	type pkt struct {
		ssrc uint32
		seq  uint16
		want Verdict
		lost uint16
	}
	cases := []struct {
		name    string
		packets []pkt
	}{
		{"in order with a gap and a wrap", []pkt{
			{1, 65533, NewSource, 0}, {1, 65534, InOrder, 0}, {1, 1, InOrder, 2}, {1, 2, InOrder, 0},
		}},
		{"duplicate and reordered", []pkt{
			{1, 100, NewSource, 0}, {1, 102, InOrder, 1}, {1, 101, Late, 0}, {1, 102, Late, 0}, {1, 103, InOrder, 0},
		}},
		{"largest dropout still counts as loss", []pkt{
			{1, 10, NewSource, 0}, {1, 10 + maxDropout - 1, InOrder, maxDropout - 2},
		}},
		{"backward restart confirmed by the next packet", []pkt{
			{1, 40000, NewSource, 0}, {1, 40001, InOrder, 0},
			{1, 1000, Probation, 0}, {1, 1001, Restart, 0}, {1, 1002, InOrder, 0},
		}},
		{"forward restart confirmed", []pkt{
			{1, 10, NewSource, 0}, {1, 30000, Probation, 0}, {1, 30001, Restart, 0},
		}},
		{"restart across the wrap", []pkt{
			{1, 30000, NewSource, 0}, {1, 65535, Probation, 0}, {1, 0, Restart, 0},
		}},
		{"a lone stray packet never confirms", []pkt{
			{1, 500, NewSource, 0}, {1, 20000, Probation, 0}, {1, 501, InOrder, 0},
			{1, 502, InOrder, 0}, {1, 20001, Probation, 0}, {1, 503, InOrder, 0},
		}},
		{"a second jump replaces the first", []pkt{
			{1, 500, NewSource, 0}, {1, 20000, Probation, 0}, {1, 9000, Probation, 0}, {1, 9001, Restart, 0},
		}},
		{"late packets between jump and confirmation do not cancel it", []pkt{
			{1, 500, NewSource, 0}, {1, 20000, Probation, 0}, {1, 499, Late, 0}, {1, 20001, Restart, 0},
		}},
		{"misorder limit", []pkt{
			{1, 1000, NewSource, 0}, {1, 1000 - maxMisorder + 1, Late, 0}, {1, 1000 - maxMisorder, Probation, 0},
		}},
		{"new SSRC", []pkt{
			{1, 1000, NewSource, 0}, {2, 5, NewSource, 0}, {2, 6, InOrder, 0}, {1, 1001, NewSource, 0},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v Validator
			for i, p := range tc.packets {
				got, lost := v.Check(p.ssrc, p.seq)
				if got != p.want || lost != p.lost {
					t.Fatalf("packet %d (ssrc %d seq %d): %s lost %d, want %s lost %d", i, p.ssrc, p.seq, got, lost, p.want, p.lost)
				}
			}
		})
	}
}
