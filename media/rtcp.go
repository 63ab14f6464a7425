package media

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
)

// RTCP (RFC 3550 §6) runs beside each stream's RTP on the odd port above
// it. Design:
//
//   - Receive: one read loop per stream on the RTCP socket. It is blocked
//     in the runtime's netpoller almost all the time (peers send one
//     compound packet about every 5 s), so it costs a small stack and no
//     CPU. The alternative, polling every RTCP socket from the pacer with
//     non-blocking reads, would add a system call per stream per poll and
//     blur the arrival times that the round-trip and DLSR fields need.
//   - Send: the pacer already visits every stream every 20 ms with the
//     stream's lock held; once per rtcpInterval it builds an SR (or an RR
//     while we send nothing) with an SDES CNAME into a buffer of the
//     stream's own, so reporting needs no goroutine, timer or allocation.
//   - Our own receive-side statistics (RFC 3550 A.3 loss, A.8 jitter) are
//     kept by the RTP read loop in rxQuality and published through atomics.
const (
	// rtcpInterval is the nominal report interval (RFC 3550 §6.2 minimum).
	rtcpInterval = 5 * time.Second
	// rtcpBufferSize holds any RTCP datagram that fits an Ethernet MTU.
	rtcpBufferSize = 1500
	// rtpClockRate is the RTP clock of every codec we speak (G.711, RFC
	// 4733 events).
	rtpClockRate = 8000
	// maxMisorder: a sequence number this far behind the highest seen is a
	// late packet, further behind it is a restarted sender (RFC 3550 A.1).
	maxMisorder = 100
)

// rtcpSockets hands an RTCP socket from PortPool.Acquire to the stream
// built on the RTP socket, keyed by the RTP socket. The pool binds both
// ports of the pair and closes the RTCP one on Release; the key lets
// NewStream keep its signature, so signalling code needs no change.
var rtcpSockets sync.Map // *net.UDPConn (RTP) -> *net.UDPConn (RTCP)

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

// RTCPDirection says which way an RTCP packet went, for the observer.
type RTCPDirection uint8

const (
	RTCPReceived RTCPDirection = iota
	RTCPSent
	RTCPInvalid
)

// WithRTCPObserver is called once per RTCP packet received, sent or
// rejected as malformed. It runs on media goroutines, so it must be quick
// and not allocate (a pre-resolved Prometheus counter fits).
func WithRTCPObserver(observe func(RTCPDirection)) PacerOption {
	return func(p *Pacer) { p.rtcpObserve = observe }
}

// WithStreamEndObserver receives every started stream's final Quality when
// it closes, for per-call quality histograms.
func WithStreamEndObserver(observe func(Quality)) PacerOption {
	return func(p *Pacer) { p.streamEnd = observe }
}

// rxQuality is RFC 3550 A.1/A.3/A.8 bookkeeping, written only by the RTP
// read loop; readers use the atomically published copies.
type rxQuality struct {
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

// update accounts one received packet. arrival is the receive time in RTP
// units; audio says whether its timestamp is a sampling instant (RFC 4733
// events repeat their start time, which would read as jitter).
func (q *rxQuality) update(ssrc uint32, seq uint16, ts, arrival uint32, audio bool) {
	if !q.started || ssrc != q.ssrc {
		q.restart(ssrc, seq)
	} else if delta := seq - q.maxSeq; delta < maxDropout {
		if seq < q.maxSeq {
			q.cycles += 1 << 16
		}
		q.maxSeq = seq
	}
	// A larger jump is either late (ignored here) or on probation: the
	// read loop holds such packets back and calls restart once the jump is
	// confirmed (seqValidator).

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

func (q *rxQuality) restart(ssrc uint32, seq uint16) {
	// Field by field: the published atomics are read concurrently.
	q.started, q.ssrc, q.baseSeq, q.maxSeq = true, ssrc, uint32(seq), seq
	q.cycles, q.received, q.haveTransit, q.transit, q.jitter = 0, 0, false, 0, 0
}

// snapshot reads the published figures: expected, received, jitter in RTP
// units ×16, the source and whether anything arrived.
func (q *rxQuality) snapshot() (expected, received, jitter16, ssrc uint32, ok bool) {
	c := q.pubCounts.Load()
	return uint32(c >> 32), uint32(c), q.pubJitter.Load(), q.pubSSRC.Load(), q.pubHave.Load()
}

// rtcpState is a stream's RTCP side.
type rtcpState struct {
	conn     packetConn // nil: no RTCP socket (tests, or bound elsewhere)
	readDone chan struct{}
	buf      [rtcpBufferSize]byte // owned by the RTCP read loop
	plain    [rtcpBufferSize]byte // decrypted SRTCP, owned by the read loop

	mu   sync.Mutex // guards peer
	peer peerReports

	received, sent, invalid atomic.Uint64

	tx rtcpSender // guarded by Stream.mu (used from the pacer)
}

// peerReports is what the peer's RTCP told us.
type peerReports struct {
	source       netip.AddrPort // latched RTCP source, where reports go
	lastSR       uint32         // middle 32 bits of the NTP time of its last SR
	lastSRAt     time.Duration  // pacer time that SR arrived
	haveSR       bool
	haveReport   bool
	fractionLost uint8
	totalLost    int32
	jitter       uint32 // RTP units
	roundTrip    time.Duration
}

// attachRTCP picks up the RTCP socket the pool bound beside conn.
func (s *Stream) attachRTCP(conn *net.UDPConn) {
	if c, ok := rtcpSockets.LoadAndDelete(conn); ok {
		s.rtcp.conn = c.(*net.UDPConn)
	}
	s.rtcp.readDone = make(chan struct{})
	s.rtcp.tx.setCNAME(s.tx.ssrc)
}

// rtcpReadLoop receives the peer's RTCP until the socket closes.
func (s *Stream) rtcpReadLoop(p *Pacer) {
	defer close(s.rtcp.readDone)
	readUntilClosed(s.rtcp.conn, s.rtcp.buf[:], func(pkt []byte, src netip.AddrPort) {
		s.handleRTCP(pkt, src, p.elapsed(), p.epoch, p.rtcpObserve)
	})
}

// handleRTCP parses one datagram from src received at now and takes what
// concerns us from it. A datagram that is not a valid compound packet is
// counted and ignored whole (RFC 3550 A.2 validity checks, done by pion
// plus the version and first-packet-type checks below).
func (s *Stream) handleRTCP(pkt []byte, src netip.AddrPort, now time.Duration, epoch time.Time, observe func(RTCPDirection)) {
	var packets []rtcp.Packet
	var err error
	if sec := s.srtp.Load(); sec != nil {
		// SRTCP: authenticate first; a forged report must not count.
		pkt, err = sec.DecryptRTCP(s.rtcp.plain[:0], pkt)
	}
	if err == nil {
		packets, err = rtcp.Unmarshal(pkt)
	}
	if err != nil || !validFirstPacket(pkt) {
		s.rtcp.invalid.Add(1)
		if observe != nil {
			observe(RTCPInvalid)
		}
		return
	}
	s.rtcp.received.Add(1)
	if observe != nil {
		observe(RTCPReceived)
	}
	ours := s.SSRC()
	r := &s.rtcp
	r.mu.Lock()
	defer r.mu.Unlock()
	r.peer.source = unmapAddrPort(src)
	for _, p := range packets {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			r.peer.lastSR = uint32(p.NTPTime >> 16)
			r.peer.lastSRAt, r.peer.haveSR = now, true
			r.peer.takeReports(p.Reports, ours, now, epoch)
		case *rtcp.ReceiverReport:
			r.peer.takeReports(p.Reports, ours, now, epoch)
		}
	}
}

// validFirstPacket applies the RFC 3550 A.2 header check pion leaves out:
// a compound packet starts with an SR or RR, without padding.
func validFirstPacket(pkt []byte) bool {
	if len(pkt) < 2 || pkt[0]>>6 != 2 || pkt[0]&0x20 != 0 {
		return false
	}
	return pkt[1] == 200 || pkt[1] == 201
}

// takeReports keeps the report block about our SSRC; blocks about other
// sources (a conference, a stale SSRC) are not ours to judge.
func (pr *peerReports) takeReports(reports []rtcp.ReceptionReport, ours uint32, now time.Duration, epoch time.Time) {
	for _, rr := range reports {
		if rr.SSRC != ours {
			continue
		}
		pr.haveReport = true
		pr.fractionLost = rr.FractionLost
		// TotalLost is a signed 24-bit field.
		pr.totalLost = int32(rr.TotalLost<<8) >> 8
		pr.jitter = rr.Jitter
		pr.roundTrip = 0
		if rr.LastSenderReport != 0 {
			arrival := ntpMiddle(epoch.Add(now))
			rtt := int64(arrival) - int64(rr.LastSenderReport) - int64(rr.Delay)
			// Modular arithmetic: wrap into the 32-bit range first.
			if d := uint32(rtt); d < 1<<31 {
				pr.roundTrip = time.Duration(uint64(d) * uint64(time.Second) >> 16)
			}
		}
	}
}

// Quality returns the stream's loss, jitter and RTCP figures so far.
func (s *Stream) Quality() Quality {
	var q Quality
	expected, received, jitter16, _, ok := s.rx.quality.snapshot()
	if ok {
		q.HasReceived = true
		q.Expected, q.Received = expected, received
		q.CumulativeLost = int64(expected) - int64(received)
		q.Jitter = rtpUnitsToDuration(jitter16 >> 4)
	}
	r := &s.rtcp
	r.mu.Lock()
	if r.peer.haveReport {
		q.HasReported = true
		q.ReportedFractionLost = float64(r.peer.fractionLost) / 256
		q.ReportedLost = r.peer.totalLost
		q.ReportedJitter = rtpUnitsToDuration(r.peer.jitter)
		q.RoundTrip = r.peer.roundTrip
	}
	r.mu.Unlock()
	q.RTCPReceived, q.RTCPSent, q.RTCPInvalid = r.received.Load(), r.sent.Load(), r.invalid.Load()
	return q
}

func rtpUnitsToDuration(units uint32) time.Duration {
	return time.Duration(uint64(units) * uint64(time.Second) / rtpClockRate)
}

// arrivalUnits is the pacer time in RTP clock units, for A.8 transit.
func arrivalUnits(now time.Duration) uint32 {
	return uint32(now / (time.Second / rtpClockRate))
}

// ntpTime is t as a 64-bit NTP timestamp (seconds since 1900, 32.32).
func ntpTime(t time.Time) uint64 {
	const ntpEpochOffset = 2208988800 // 1900-01-01 to 1970-01-01, s
	secs := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// ntpMiddle is the middle 32 bits of t's NTP time, the LSR unit.
func ntpMiddle(t time.Time) uint32 { return uint32(ntpTime(t) >> 16) }

// closeRTCP closes the RTCP socket, waits for its read loop and hands the
// final figures to the pacer's observer. Called once from Close, after the
// RTP read loop has ended, so the figures are final.
func (s *Stream) closeRTCP(started bool, p *Pacer) {
	if s.rtcp.conn != nil {
		_ = s.rtcp.conn.Close()
		if started {
			<-s.rtcp.readDone
		}
	}
	if started && p != nil && p.streamEnd != nil {
		p.streamEnd(s.Quality())
	}
}
