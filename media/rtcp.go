package media

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"

	"github.com/hotline-oss/hotline/media/portpool"
	"github.com/hotline-oss/hotline/media/rtpstats"
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
//     kept by the RTP read loop in an rtpstats.Reception and published through atomics.
const (
	// rtcpInterval is the nominal report interval (RFC 3550 §6.2 minimum).
	rtcpInterval = 5 * time.Second
	// rtcpBufferSize holds any RTCP datagram that fits an Ethernet MTU.
	rtcpBufferSize = 1500
)

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
func WithStreamEndObserver(observe func(rtpstats.Quality)) PacerOption {
	return func(p *Pacer) { p.streamEnd = observe }
}

// rtcpState is a stream's RTCP side.
type rtcpState struct {
	conn     packetConn // nil: no RTCP socket (tests, or bound elsewhere)
	readDone chan struct{}
	buf      [rtcpBufferSize]byte // owned by the RTCP read loop
	plain    [rtcpBufferSize]byte // decrypted SRTCP, owned by the read loop

	mu   sync.Mutex // guards peer
	peer rtpstats.Peer

	received, sent, invalid atomic.Uint64

	tx rtcpSender // guarded by Stream.mu (used from the pacer)
}

// attachRTCP picks up the RTCP socket the pool bound beside conn.
func (s *Stream) attachRTCP(conn *net.UDPConn) {
	if c, ok := portpool.TakeRTCP(conn); ok {
		s.rtcp.conn = c
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
	if err != nil || !rtpstats.ValidCompound(pkt) {
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
	r.peer.Source = unmapAddrPort(src)
	for _, p := range packets {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			r.peer.LastSR = uint32(p.NTPTime >> 16)
			r.peer.LastSRAt, r.peer.HaveSR = now, true
			r.peer.Take(p.Reports, ours, now, epoch)
		case *rtcp.ReceiverReport:
			r.peer.Take(p.Reports, ours, now, epoch)
		}
	}
}

// Quality returns the stream's loss, jitter and RTCP figures so far.
func (s *Stream) Quality() rtpstats.Quality {
	var q rtpstats.Quality
	expected, received, jitter16, _, ok := s.rx.quality.Snapshot()
	if ok {
		q.HasReceived = true
		q.Expected, q.Received = expected, received
		q.CumulativeLost = int64(expected) - int64(received)
		q.Jitter = rtpstats.UnitsToDuration(jitter16 >> 4)
	}
	r := &s.rtcp
	r.mu.Lock()
	if r.peer.HaveReport {
		q.HasReported = true
		q.ReportedFractionLost = float64(r.peer.FractionLost) / 256
		q.ReportedLost = r.peer.TotalLost
		q.ReportedJitter = rtpstats.UnitsToDuration(r.peer.Jitter)
		q.RoundTrip = r.peer.RoundTrip
	}
	r.mu.Unlock()
	q.RTCPReceived, q.RTCPSent, q.RTCPInvalid = r.received.Load(), r.sent.Load(), r.invalid.Load()
	return q
}

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
