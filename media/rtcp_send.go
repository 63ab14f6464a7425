package media

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"time"
)

const (
	rtcpTypeSR   = 200
	rtcpTypeRR   = 201
	rtcpTypeSDES = 202
	sdesCNAME    = 1
	// rtcpSendBuffer fits SR + one report block (52 bytes) and an SDES
	// chunk with a CNAME of up to maxCNAME bytes.
	rtcpSendBuffer = 160
	maxCNAME       = 64
)

// rtcpSender is the sending side of a stream's RTCP; guarded by Stream.mu
// and used from the pacer.
type rtcpSender struct {
	pacer                        *Pacer // set by Start before the pacer sees the stream
	cname                        []byte
	next                         time.Duration // pacer time of the next report; 0 = not scheduled
	expectedPrior, receivedPrior uint32
	sentPrior                    uint64
	buf                          [rtcpSendBuffer]byte
	sealed                       [rtcpSendBuffer + 32]byte // SRTCP adds index and tag
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
	src := s.rtcp.peer.source
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

// buildReport writes an SR (when we sent RTP since the last report) or an
// RR, then an SDES CNAME, into t.buf and returns the length. The caller
// holds mu.
func (s *Stream) buildReport(now time.Duration) int {
	t := &s.rtcp.tx
	b := t.buf[:]
	sent := s.stats.packetsSent.Load()
	isSR := sent != t.sentPrior
	t.sentPrior = sent

	block, haveBlock := s.reportBlock(now, b[28:52])
	count := 0
	if haveBlock {
		count = 1
	}
	n := 8
	if isSR {
		ntp := ntpTime(t.pacer.epoch.Add(now))
		binary.BigEndian.PutUint64(b[8:], ntp)
		// The RTP time of "now": the next frame's timestamp minus what is
		// still ahead of it on the schedule.
		ahead := uint32((s.tx.nextDue - now) / (time.Second / rtpClockRate))
		binary.BigEndian.PutUint32(b[16:], s.tx.timestamp-ahead)
		octets := s.stats.bytesSent.Load() - sent*rtpHeaderSize
		binary.BigEndian.PutUint32(b[20:], uint32(sent))
		binary.BigEndian.PutUint32(b[24:], uint32(octets))
		n = 28
	}
	if haveBlock {
		copy(b[n:n+24], block)
		n += 24
	}
	pt := byte(rtcpTypeRR)
	if isSR {
		pt = rtcpTypeSR
	}
	b[0], b[1] = 0x80|byte(count), pt
	binary.BigEndian.PutUint16(b[2:], uint16(n/4-1))
	binary.BigEndian.PutUint32(b[4:], s.tx.ssrc)
	return n + s.writeSDES(b[n:])
}

// reportBlock fills dst (24 bytes, scratch space inside the send buffer
// that buildReport then moves into place) with the reception report about
// the source we receive, if any. The caller holds mu.
func (s *Stream) reportBlock(now time.Duration, dst []byte) ([]byte, bool) {
	expected, received, jitter16, ssrc, ok := s.rx.quality.snapshot()
	if !ok {
		return nil, false
	}
	t := &s.rtcp.tx
	expInterval := expected - t.expectedPrior
	recvInterval := received - t.receivedPrior
	t.expectedPrior, t.receivedPrior = expected, received
	var fraction uint32
	if lost := int64(expInterval) - int64(recvInterval); expInterval > 0 && lost > 0 {
		fraction = uint32(lost<<8) / expInterval
	}
	cumulative := int64(expected) - int64(received)
	cumulative = max(min(cumulative, 0x7FFFFF), -0x800000) // signed 24 bits
	binary.BigEndian.PutUint32(dst[0:], ssrc)
	binary.BigEndian.PutUint32(dst[4:], min(fraction, 255)<<24|uint32(cumulative)&0xFFFFFF)
	binary.BigEndian.PutUint32(dst[8:], s.rx.quality.pubExtMax.Load())
	binary.BigEndian.PutUint32(dst[12:], jitter16>>4)
	s.rtcp.mu.Lock()
	pr := s.rtcp.peer
	s.rtcp.mu.Unlock()
	var lsr, dlsr uint32
	if pr.haveSR {
		lsr = pr.lastSR
		dlsr = uint32((now - pr.lastSRAt) * (1 << 16) / time.Second)
	}
	binary.BigEndian.PutUint32(dst[16:], lsr)
	binary.BigEndian.PutUint32(dst[20:], dlsr)
	return dst, true
}

// writeSDES writes an SDES packet with our CNAME into b and returns its
// length (a multiple of 4).
func (s *Stream) writeSDES(b []byte) int {
	cname := s.rtcp.tx.cname
	if len(cname) > maxCNAME {
		cname = cname[:maxCNAME]
	}
	// chunk: SSRC, CNAME item (type, length, text), at least one zero
	// octet ending the item list, padded to 32 bits.
	chunk := 4 + 2 + len(cname) + 1
	chunk = (chunk + 3) &^ 3
	total := 4 + chunk
	clear(b[:total])
	b[0], b[1] = 0x81, rtcpTypeSDES
	binary.BigEndian.PutUint16(b[2:], uint16(total/4-1))
	binary.BigEndian.PutUint32(b[4:], s.tx.ssrc)
	b[8], b[9] = sdesCNAME, byte(len(cname))
	copy(b[10:], cname)
	return total
}
