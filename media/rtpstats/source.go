package rtpstats

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

// Sequence limits of RFC 3550 A.1.
const (
	// maxDropout is the largest sequence jump still counted as loss; a
	// bigger jump is a restarted sender.
	maxDropout = 3000
	// maxMisorder: a sequence number this far behind the highest seen is a
	// late packet, further behind it is a restarted sender.
	maxMisorder = 100
)

// Verdict is what one packet's sequence number says about its source.
type Verdict uint8

const (
	// NewSource: the first packet, or a new SSRC. State keyed on the
	// source (DTMF timestamps, loss and jitter) starts over.
	NewSource Verdict = iota
	// InOrder: the next packet, or one after a gap of lost packets.
	InOrder
	// Late: a duplicate, or a reordered packet behind the highest seen.
	Late
	// Probation: a jump too large to be loss or reordering. The packet
	// does not move the source's state until the next one confirms it.
	Probation
	// Restart: the packet continues a jump: the sender restarted with
	// the same SSRC. State keyed on the source starts over.
	Restart
)

// String names the verdict, for test failures and logs.
func (v Verdict) String() string {
	switch v {
	case NewSource:
		return "new-source"
	case InOrder:
		return "in-order"
	case Late:
		return "late"
	case Probation:
		return "probation"
	case Restart:
		return "restart"
	}
	return "unknown"
}

// ResetsSource reports whether state keyed on the source must start over.
func (v Verdict) ResetsSource() bool { return v == NewSource || v == Restart }

// Validator tracks one stream's sequence numbers. The zero value is
// ready; it is owned by the read loop and is not safe for concurrent use.
type Validator struct {
	started bool
	ssrc    uint32
	maxSeq  uint16 // highest sequence number accepted
	pending bool   // a jump is on probation
	badSeq  uint16 // the sequence number that would confirm it
}

// Check classifies one packet and, for in-order packets, returns how many
// packets the gap before it says were lost.
func (v *Validator) Check(ssrc uint32, seq uint16) (verdict Verdict, lost uint16) {
	if !v.started || ssrc != v.ssrc {
		*v = Validator{started: true, ssrc: ssrc, maxSeq: seq}
		return NewSource, 0
	}
	delta := seq - v.maxSeq
	switch {
	case delta == 0: // a duplicate
		return Late, 0
	case delta < maxDropout:
		v.maxSeq, v.pending = seq, false
		return InOrder, delta - 1
	case delta <= 1<<16-maxMisorder:
		if v.pending && seq == v.badSeq {
			v.maxSeq, v.pending = seq, false
			return Restart, 0
		}
		v.pending, v.badSeq = true, seq+1
		return Probation, 0
	default:
		return Late, 0
	}
}
