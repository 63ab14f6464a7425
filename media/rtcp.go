package media

import (
	"net"
	"net/netip"
	"time"

	"github.com/hotline-oss/hotline/media/portpool"
	"github.com/hotline-oss/hotline/media/rtcpsess"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/rtpstats"
)

// RTCP (RFC 3550 §6) runs beside each stream's RTP on the odd port above
// it; media/rtcpsess keeps the stream's side of it. Design:
//
//   - Receive: one read loop per stream on the RTCP socket. It is blocked
//     in the runtime's netpoller almost all the time (peers send one
//     compound packet about every 5 s), so it costs a small stack and no
//     CPU. The alternative, polling every RTCP socket from the pacer with
//     non-blocking reads, would add a system call per stream per poll and
//     blur the arrival times that the round-trip and DLSR fields need.
//   - Send: the pacer already visits every stream every 20 ms with the
//     stream's lock held; once per rtcpsess.Interval it builds an SR (or
//     an RR while we send nothing) with an SDES CNAME into a buffer of the
//     stream's own, so reporting needs no goroutine, timer or allocation.
//   - Our own receive-side statistics (RFC 3550 A.3 loss, A.8 jitter) are
//     kept by the RTP read loop in an rtpstats.Reception and published through atomics.

// RTCPDirection says which way an RTCP packet went, for the observer.
type RTCPDirection = rtcpsess.Direction

const (
	RTCPReceived = rtcpsess.Received
	RTCPSent     = rtcpsess.Sent
	RTCPInvalid  = rtcpsess.Invalid
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

// rtcpReader is what the stream's RTCP read loop owns.
type rtcpReader struct {
	buf  [rtcpsess.BufferSize]byte
	done chan struct{}
}

// attachRTCP picks up the RTCP socket the pool bound beside conn.
func (s *Stream) attachRTCP(conn *net.UDPConn) {
	if c, ok := portpool.TakeRTCP(conn); ok {
		s.rtcp.Attach(c, s.tx.ssrc)
	}
}

// rtcpReadLoop receives the peer's RTCP until the socket closes.
func (s *Stream) rtcpReadLoop(p *Pacer) {
	defer close(s.rtcpRead.done)
	readUntilClosed(s.rtcp.Conn(), s.rtcpRead.buf[:], func(pkt []byte, src netip.AddrPort) {
		s.handleRTCP(pkt, src, p.elapsed())
	})
}

// handleRTCP hands one datagram from src received at now to the session.
func (s *Stream) handleRTCP(pkt []byte, src netip.AddrPort, now time.Duration) {
	s.rtcp.Handle(pkt, unmapAddrPort(src), now, s.SSRC(), s.srtp.Load())
}

// sendRTCPDue sends a report when one is due. The caller (sendDue on the
// pacer) holds mu. It does not allocate.
func (s *Stream) sendRTCPDue(now time.Duration) {
	if !s.rtcp.Due(now) {
		return
	}
	sent := s.stats.packetsSent.Load()
	// The RTP time of "now": the next frame's timestamp minus what is
	// still ahead of it on the schedule.
	ahead := uint32((s.tx.nextDue - now) / (time.Second / rtpcodec.ClockRate))
	snd := rtpstats.Sending{
		SSRC:    s.tx.ssrc,
		Packets: sent,
		Octets:  s.stats.bytesSent.Load() - sent*rtpHeaderSize,
		RTPTime: s.tx.timestamp - ahead,
	}
	s.rtcp.Send(now, snd, &s.rx.quality, s.tx.remote, s.srtp.Load())
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
	s.rtcp.Quality(&q)
	return q
}

// closeRTCP closes the RTCP socket, waits for its read loop and hands the
// final figures to the pacer's observer. Called once from Close, after the
// RTP read loop has ended, so the figures are final.
func (s *Stream) closeRTCP(started bool, p *Pacer) {
	if s.rtcp.Close() && started {
		<-s.rtcpRead.done
	}
	if started && p != nil && p.streamEnd != nil {
		p.streamEnd(s.Quality())
	}
}
