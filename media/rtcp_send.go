package media

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/rtpstats"
)

// rtcpSender is the sending side of a stream's RTCP; guarded by Stream.mu
// and used from the pacer.
type rtcpSender struct {
	pacer  *Pacer // set by Start before the pacer sees the stream
	cname  []byte
	next   time.Duration // pacer time of the next report; 0 = not scheduled
	report rtpstats.Reporter
	buf    [rtpstats.ReportSize]byte
	sealed [rtpstats.ReportSize + 32]byte // SRTCP adds index and tag
}

// setCNAME sets the SDES CNAME (RFC 3550 §6.5.1): a per-stream random
// identifier, since the user@host form would reveal the host to callers.
func (t *rtcpSender) setCNAME(ssrc uint32) {
	t.cname = binary.BigEndian.AppendUint32([]byte("hotline-"), ssrc)
	for i := len("hotline-"); i < len(t.cname); i++ {
		t.cname[i] = 'a' + t.cname[i]%26 // printable
	}
}

// rtcpInterval randomised to 0.5–1.5 × the nominal interval (RFC 3550
// §6.3.1), so streams started together do not report together.
func nextRTCPInterval() time.Duration {
	return rtcpInterval/2 + rand.N(rtcpInterval)
}

// sendRTCPDue sends a report when one is due. The caller (sendDue on the
// pacer) holds mu. It does not allocate.
func (s *Stream) sendRTCPDue(now time.Duration) {
	t := &s.rtcp.tx
	if s.rtcp.conn == nil || t.pacer == nil {
		return
	}
	if t.next == 0 {
		t.next = now + nextRTCPInterval()
		return
	}
	if now < t.next {
		return
	}
	t.next = now + nextRTCPInterval()
	dst := s.rtcpDestination()
	if !dst.IsValid() {
		return
	}
	pkt := t.buf[:s.buildReport(now)]
	if sec := s.srtp.Load(); sec != nil {
		var err error
		if pkt, err = sec.EncryptRTCP(t.sealed[:0], pkt); err != nil {
			return
		}
	}
	if _, err := s.rtcp.conn.WriteToUDPAddrPort(pkt, dst); err != nil {
		return // the RTP side counts socket trouble; RTCP is best effort
	}
	s.rtcp.sent.Add(1)
	if t.pacer.rtcpObserve != nil {
		t.pacer.rtcpObserve(RTCPSent)
	}
}

// rtcpDestination is the peer's latched RTCP source, else the RTP
// destination's port + 1. The caller holds mu.
func (s *Stream) rtcpDestination() netip.AddrPort {
	s.rtcp.mu.Lock()
	src := s.rtcp.peer.Source
	s.rtcp.mu.Unlock()
	if src.IsValid() {
		return src
	}
	r := s.tx.remote
	if !r.IsValid() || r.Port() == 0 || r.Port() == 65535 {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(r.Addr(), r.Port()+1)
}

// buildReport writes the report into t.buf and returns its length. The
// caller holds mu.
func (s *Stream) buildReport(now time.Duration) int {
	t := &s.rtcp.tx
	sent := s.stats.packetsSent.Load()
	// The RTP time of "now": the next frame's timestamp minus what is
	// still ahead of it on the schedule.
	ahead := uint32((s.tx.nextDue - now) / (time.Second / rtpcodec.ClockRate))
	snd := rtpstats.Sending{
		SSRC:    s.tx.ssrc,
		Packets: sent,
		Octets:  s.stats.bytesSent.Load() - sent*rtpHeaderSize,
		NTP:     rtpstats.NTPTime(t.pacer.epoch.Add(now)),
		RTPTime: s.tx.timestamp - ahead,
		CNAME:   t.cname,
	}
	s.rtcp.mu.Lock()
	peer := s.rtcp.peer
	s.rtcp.mu.Unlock()
	return t.report.Write(t.buf[:], snd, &s.rx.quality, peer, now)
}
