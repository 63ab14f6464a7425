package rtpstats

import (
	"sync/atomic"
	"time"
)

// Quality is a stream's loss and jitter, both as we measure the RTP we
// receive and as the peer's receiver reports describe the RTP we send.
type Quality struct {
	// Received: RFC 3550 A.3 and A.8, over the current source's packets.
	// HasReceived is false until RTP has arrived.
	HasReceived    bool
	Expected       uint32 // packets the sequence numbers say were sent
	Received       uint32 // packets that arrived (duplicates included)
	CumulativeLost int64  // Expected - Received; negative with duplicates
	Jitter         time.Duration

	// Reported by the peer (last report block about our SSRC).
	// HasReported is false until such a block arrives.
	HasReported          bool
	ReportedFractionLost float64 // 0..1, over the peer's last interval
	ReportedLost         int32   // cumulative, as the peer counts it
	ReportedJitter       time.Duration
	// RoundTrip is from the peer's LSR/DLSR (RFC 3550 §6.4.1); zero when
	// the peer has not echoed one of our sender reports.
	RoundTrip time.Duration

	RTCPReceived, RTCPSent, RTCPInvalid uint64
}

// LossRatio is CumulativeLost / Expected clamped to 0..1 (0 without data).
func (q Quality) LossRatio() float64 {
	if q.Expected == 0 || q.CumulativeLost <= 0 {
		return 0
	}
	return min(float64(q.CumulativeLost)/float64(q.Expected), 1)
}

// Reception is RFC 3550 A.1/A.3/A.8 bookkeeping, written only by the RTP
// read loop; readers use the atomically published copies.
type Reception struct {
	started     bool
	ssrc        uint32
	baseSeq     uint32
	maxSeq      uint16
	cycles      uint32
	received    uint32
	haveTransit bool
	transit     uint32
	jitter      uint32 // in RTP units, scaled by 16 as in A.8

	pubCounts atomic.Uint64 // expected<<32 | received
	pubExtMax atomic.Uint32 // extended highest sequence number received
	pubJitter atomic.Uint32 // RTP units ×16
	pubSSRC   atomic.Uint32
	pubHave   atomic.Bool
}

// Update accounts one received packet. arrival is the receive time in RTP
// units; audio says whether its timestamp is a sampling instant (RFC 4733
// events repeat their start time, which would read as jitter).
func (q *Reception) Update(ssrc uint32, seq uint16, ts, arrival uint32, audio bool) {
	if !q.started || ssrc != q.ssrc {
		q.Restart(ssrc, seq)
	} else if delta := seq - q.maxSeq; delta < maxDropout {
		if seq < q.maxSeq {
			q.cycles += 1 << 16
		}
		q.maxSeq = seq
	}
	// A larger jump is either late (ignored here) or on probation: the
	// read loop holds such packets back and calls restart once the jump is
	// confirmed (Validator).

	q.received++
	if audio {
		transit := arrival - ts
		if q.haveTransit {
			d := int32(transit - q.transit)
			if d < 0 {
				d = -d
			}
			// J += (|D| - J) / 16, kept scaled by 16 (RFC 3550 A.8).
			q.jitter += uint32(d) - ((q.jitter + 8) >> 4)
		}
		q.transit, q.haveTransit = transit, true
	}
	expected := q.cycles + uint32(q.maxSeq) - q.baseSeq + 1
	q.pubCounts.Store(uint64(expected)<<32 | uint64(q.received))
	q.pubExtMax.Store(q.cycles + uint32(q.maxSeq))
	q.pubJitter.Store(q.jitter)
	q.pubSSRC.Store(ssrc)
	q.pubHave.Store(true)
}

func (q *Reception) Restart(ssrc uint32, seq uint16) {
	// Field by field: the published atomics are read concurrently.
	q.started, q.ssrc, q.baseSeq, q.maxSeq = true, ssrc, uint32(seq), seq
	q.cycles, q.received, q.haveTransit, q.transit, q.jitter = 0, 0, false, 0, 0
}

// Snapshot reads the published figures: expected, received, jitter in RTP
// units ×16, the source and whether anything arrived.
func (q *Reception) Snapshot() (expected, received, jitter16, ssrc uint32, ok bool) {
	c := q.pubCounts.Load()
	return uint32(c >> 32), uint32(c), q.pubJitter.Load(), q.pubSSRC.Load(), q.pubHave.Load()
}

// ExtendedMax is the extended highest sequence number received (RFC 3550
// A.3), as published.
func (q *Reception) ExtendedMax() uint32 { return q.pubExtMax.Load() }
