package rtpaudio

import (
	"maps"
	"slices"
	"time"

	"github.com/pion/rtp"
)

// NonSilentMeanAmplitude is the loudness threshold for one 20 ms frame: a
// frame counts as audio when the mean absolute value of its decoded samples
// exceeds this (full scale is 32767). Digital silence decodes to 0 (µ-law) or
// 8 (A-law) and comfort-noise-level hiss stays well under it, while any
// spoken prompt or test tone is far above it.
const NonSilentMeanAmplitude = 200

// Stats summarises the RTP the phone has received on one call.
type Stats struct {
	Packets         int
	NonSilentFrames int // G.711 frames above NonSilentMeanAmplitude
	SilentFrames    int // G.711 frames at or below it
	PayloadTypes    map[uint8]int
	SeqGaps         int // packets lost or reordered, judged by sequence number per SSRC
	SSRCs           int

	// Inter-arrival gaps between consecutive packets, to judge server pacing.
	GapP50, GapP99, GapMax time.Duration

	FirstPacket, LastPacket time.Time
	LastNonSilent           time.Time
	SourceAddr              string // source of the latest packet (symmetric RTP check)
	SourceAddrs             int    // distinct sources seen

	// Events lists the RFC 4733 telephone-event packets received, in order.
	Events []ReceivedEvent
}

// ReceivedEvent is one telephone-event packet as it arrived.
type ReceivedEvent struct {
	Event     uint8
	End       bool
	Duration  uint16
	Timestamp uint32
}

// statsRecorder accumulates Stats; it is not safe for concurrent use.
type statsRecorder struct {
	stats   Stats
	dtmfPT  uint8
	lastSeq map[uint32]uint16
	sources map[string]struct{}
	gaps    []time.Duration
	// silenceSinceLoud is the audio time carried by silent frames received
	// after the latest loud one: positive evidence that a prompt ended.
	silenceSinceLoud time.Duration
	recent           recentAudio // the latest samples, for tone checks (tones.go)
	g722             g722Receiver
}

func newStatsRecorder(dtmfPT uint8) *statsRecorder {
	return &statsRecorder{
		stats:   Stats{PayloadTypes: make(map[uint8]int)},
		dtmfPT:  dtmfPT,
		lastSeq: make(map[uint32]uint16),
		sources: make(map[string]struct{}),
	}
}

// record adds one packet that arrived at `at` from `source`.
func (r *statsRecorder) record(pkt *rtp.Packet, at time.Time, source string) {
	s := &r.stats
	if s.Packets == 0 {
		s.FirstPacket = at
	} else {
		r.gaps = append(r.gaps, at.Sub(s.LastPacket))
	}
	s.Packets++
	s.LastPacket = at
	s.PayloadTypes[pkt.PayloadType]++
	s.SourceAddr = source
	r.sources[source] = struct{}{}
	s.SourceAddrs = len(r.sources)

	last, seen := r.lastSeq[pkt.SSRC]
	gap, forward := sequenceGap(last, pkt.SequenceNumber)
	if !seen || forward {
		r.lastSeq[pkt.SSRC] = pkt.SequenceNumber
	}
	if seen {
		s.SeqGaps += gap
	}
	s.SSRCs = len(r.lastSeq)

	if r.dtmfPT != 0 && pkt.PayloadType == r.dtmfPT {
		if ev, ok := ParseEvent(pkt.Payload); ok {
			ev.Timestamp = pkt.Timestamp
			s.Events = append(s.Events, ev)
		}
		return
	}
	if len(pkt.Payload) == 0 {
		return
	}
	var level int
	if pkt.PayloadType == PayloadTypeG722 {
		pcm := r.g722.narrowband(pkt.Payload)
		r.recent.addLinear(pcm)
		level = meanAbsoluteLinear(pcm)
	} else {
		table := Decoder(pkt.PayloadType)
		if table == nil {
			return
		}
		r.recent.add(table, pkt.Payload)
		level = MeanAbsolute(table, pkt.Payload)
	}
	if level > NonSilentMeanAmplitude {
		s.NonSilentFrames++
		s.LastNonSilent = at
		r.silenceSinceLoud = 0
	} else {
		s.SilentFrames++
		r.silenceSinceLoud += time.Duration(len(pkt.Payload)) * time.Second / ClockRate // one byte per sample
	}
}

// snapshot returns a deep copy with the gap percentiles filled in.
func (r *statsRecorder) snapshot() Stats {
	out := r.stats
	out.PayloadTypes = maps.Clone(r.stats.PayloadTypes)
	out.Events = slices.Clone(r.stats.Events)
	out.GapP50, out.GapP99, out.GapMax = gapPercentiles(r.gaps)
	return out
}

// sequenceGap counts packets missing between last and next; a step
// backwards (a late or duplicated packet) counts as one and is not forward.
func sequenceGap(last, next uint16) (gap int, forward bool) {
	skipped := next - last - 1 // wraps at 2^16 like the sequence number
	if skipped < 0x8000 {
		return int(skipped), true
	}
	return 1, false
}

// MeanAbsolute is the loudness of a G.711 frame: the mean absolute value
// of its samples decoded with table.
func MeanAbsolute(table *[256]int16, payload []byte) int {
	total := 0
	for _, b := range payload {
		v := int(table[b])
		if v < 0 {
			v = -v
		}
		total += v
	}
	return total / len(payload)
}

func meanAbsoluteLinear(pcm []int16) int {
	total := 0
	for _, v := range pcm {
		total += max(int(v), -int(v))
	}
	return total / max(len(pcm), 1)
}

// gapPercentiles uses the nearest-rank method on a sorted copy.
func gapPercentiles(gaps []time.Duration) (p50, p99, maxGap time.Duration) {
	if len(gaps) == 0 {
		return 0, 0, 0
	}
	sorted := slices.Clone(gaps)
	slices.Sort(sorted)
	rank := func(p int) time.Duration {
		idx := (p*len(sorted)+99)/100 - 1
		return sorted[max(idx, 0)]
	}
	return rank(50), rank(99), sorted[len(sorted)-1]
}
