package media

// Source validation in the manner of RFC 3550 appendix A.1, applied to the
// sequence numbers of one received RTP stream.
//
// A sender behind an SBC or a media gateway may restart in the middle of a
// call and keep its SSRC while its sequence numbers and timestamps jump,
// often backwards. Taken at face value the new packets look like late
// duplicates, and everything keyed on ordering (loss counting, DTMF
// deduplication by timestamp) stalls until the new numbers pass the old
// ones. A.1's answer: a jump larger than the tolerated dropout or misorder
// is put on probation; when the very next packet continues from it in
// sequence, the sender has restarted and the receiver starts over. A single
// stray packet far from the stream never confirms itself, so it cannot
// reset anything.

// seqVerdict is what one packet's sequence number says about its source.
type seqVerdict uint8

const (
	// seqNewSource: the first packet, or a new SSRC. State keyed on the
	// source (DTMF timestamps, loss and jitter) starts over.
	seqNewSource seqVerdict = iota
	// seqInOrder: the next packet, or one after a gap of lost packets.
	seqInOrder
	// seqLate: a duplicate, or a reordered packet behind the highest seen.
	seqLate
	// seqProbation: a jump too large to be loss or reordering. The packet
	// does not move the source's state until the next one confirms it.
	seqProbation
	// seqRestart: the packet continues a jump: the sender restarted with
	// the same SSRC. State keyed on the source starts over.
	seqRestart
)

// String names the verdict, for test failures and logs.
func (v seqVerdict) String() string {
	switch v {
	case seqNewSource:
		return "new-source"
	case seqInOrder:
		return "in-order"
	case seqLate:
		return "late"
	case seqProbation:
		return "probation"
	case seqRestart:
		return "restart"
	}
	return "unknown"
}

// resetsSource reports whether state keyed on the source must start over.
func (v seqVerdict) resetsSource() bool { return v == seqNewSource || v == seqRestart }

// seqValidator tracks one stream's sequence numbers. The zero value is
// ready; it is owned by the read loop and is not safe for concurrent use.
type seqValidator struct {
	started bool
	ssrc    uint32
	maxSeq  uint16 // highest sequence number accepted
	pending bool   // a jump is on probation
	badSeq  uint16 // the sequence number that would confirm it
}

// check classifies one packet and, for in-order packets, returns how many
// packets the gap before it says were lost.
func (v *seqValidator) check(ssrc uint32, seq uint16) (verdict seqVerdict, lost uint16) {
	if !v.started || ssrc != v.ssrc {
		*v = seqValidator{started: true, ssrc: ssrc, maxSeq: seq}
		return seqNewSource, 0
	}
	delta := seq - v.maxSeq
	switch {
	case delta == 0: // a duplicate
		return seqLate, 0
	case delta < maxDropout:
		v.maxSeq, v.pending = seq, false
		return seqInOrder, delta - 1
	case delta <= 1<<16-maxMisorder:
		if v.pending && seq == v.badSeq {
			v.maxSeq, v.pending = seq, false
			return seqRestart, 0
		}
		v.pending, v.badSeq = true, seq+1
		return seqProbation, 0
	default:
		return seqLate, 0
	}
}
