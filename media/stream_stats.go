package media

import (
	"net/netip"
	"sync/atomic"
	"time"
)

// streamCounters are updated without locks by the pacer and the read loop.
type streamCounters struct {
	packetsSent, bytesSent        atomic.Uint64
	packetsReceived, bytesRecv    atomic.Uint64
	packetsLost, packetsDropped   atomic.Uint64
	sourceRestarts                atomic.Uint64
	nonSilentFrames               atomic.Uint64
	digitsReceived, digitsDropped atomic.Uint64
	framesSkipped, sendErrors     atomic.Uint64
	lastLevel                     atomic.Uint32
}

// Stats is a snapshot of a stream's counters.
type Stats struct {
	PacketsSent     uint64
	BytesSent       uint64
	PacketsReceived uint64
	BytesReceived   uint64
	// PacketsLost counts sequence-number gaps of the received stream.
	PacketsLost uint64
	// PacketsDropped counts datagrams that were not valid RTP or came from
	// a source other than the latched one.
	PacketsDropped uint64
	// SourceRestarts counts confirmed restarts of the peer's RTP sender
	// under the same SSRC: a large sequence jump followed by a packet in
	// sequence with it (RFC 3550 A.1). Each one resets loss, jitter and
	// DTMF state, as a new SSRC does.
	SourceRestarts uint64
	// ReceivedNonSilentFrames counts received audio frames whose mean
	// amplitude is above the silence threshold.
	ReceivedNonSilentFrames uint64
	DigitsReceived          uint64
	DigitsDropped           uint64 // Digits() was full
	FramesSkipped           uint64 // the pacer fell more than pacer.MaxCatchUpFrames behind
	SendErrors              uint64
	// LastAudioLevel is the mean absolute amplitude (0..32767) of the
	// last received audio frame.
	LastAudioLevel uint16
	// LastReceived is when the last packet arrived, on the pacer's
	// monotonic clock; zero before the first packet.
	LastReceived time.Duration
	// Idle is how long ago the last packet arrived (or the stream started,
	// if none has).
	Idle time.Duration
	// Remote is where packets are sent now: the latched source, or the
	// configured address before anything arrived.
	Remote netip.AddrPort

	// Relay counters, on the stream that sends a bridged peer's audio.
	// RelayedFrames were sent from the relay; RelayUnderflows are frames
	// sent as silence because less than a frame of the peer's audio was
	// waiting; RelayDroppedFrames and RelayTrimmedFrames are audio
	// discarded, in 20 ms frames' worth, because the relay was full or
	// held more delay than it needed (see mix.Relay).
	RelayedFrames      uint64
	RelayUnderflows    uint64
	RelayDroppedFrames uint64
	RelayTrimmedFrames uint64
}

// Stats returns a snapshot of the counters.
func (s *Stream) Stats() Stats {
	st := Stats{
		PacketsSent:             s.stats.packetsSent.Load(),
		BytesSent:               s.stats.bytesSent.Load(),
		PacketsReceived:         s.stats.packetsReceived.Load(),
		BytesReceived:           s.stats.bytesRecv.Load(),
		PacketsLost:             s.stats.packetsLost.Load(),
		PacketsDropped:          s.stats.packetsDropped.Load(),
		SourceRestarts:          s.stats.sourceRestarts.Load(),
		ReceivedNonSilentFrames: s.stats.nonSilentFrames.Load(),
		DigitsReceived:          s.stats.digitsReceived.Load(),
		DigitsDropped:           s.stats.digitsDropped.Load(),
		FramesSkipped:           s.stats.framesSkipped.Load(),
		SendErrors:              s.stats.sendErrors.Load(),
		LastAudioLevel:          uint16(s.stats.lastLevel.Load()),
	}
	st.RelayedFrames, st.RelayDroppedFrames, st.RelayUnderflows, st.RelayTrimmedFrames = s.relay.Stats()
	last := time.Duration(s.lastReceived.Load())
	if st.PacketsReceived > 0 {
		st.LastReceived = last
	}
	s.life.Lock()
	p := s.pacer
	s.life.Unlock()
	if p != nil {
		st.Idle = p.elapsed() - last
	}
	s.mu.Lock()
	st.Remote = s.tx.remote
	s.mu.Unlock()
	return st
}
